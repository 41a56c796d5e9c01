import { isIP } from 'node:net'
import { type DnsLookup, DnsQueryError, isNoRecords } from './dns-lookup.js'

/** The addresses of one host name: A before AAAA, as the router tries them in order. */
export interface AddressAnswer {
  addresses: string[]
  /** Smallest TTL among the records, when the lookup reports TTLs. */
  ttlSeconds: number | undefined
  /** Both A and AAAA said NXDOMAIN: the name does not exist. */
  nxdomain: boolean
  /** A failure (timeout, SERVFAIL, ...) of either question, kept for when nothing else was found. */
  failure: DnsQueryError | undefined
}

/** A and AAAA of `name`, asked in parallel; never rejects with a DnsQueryError. */
export async function lookupAddresses(dns: DnsLookup, name: string): Promise<AddressAnswer> {
  // SRV targets must be names (RFC 2782), but an IP literal is seen in the wild
  // and DNS would not resolve it.
  if (isIP(name)) return { addresses: [name], ttlSeconds: undefined, nxdomain: false, failure: undefined }
  const [v4, v6] = await Promise.all([ask(dns, name, 4), ask(dns, name, 6)])
  const records = [...v4.records, ...v6.records]
  const ttls = records.flatMap((record) => (record.ttlSeconds === undefined ? [] : [record.ttlSeconds]))
  return {
    addresses: [...new Set(records.map((record) => record.address))],
    ttlSeconds: ttls.length > 0 ? Math.min(...ttls) : undefined,
    nxdomain: v4.error?.code === 'NXDOMAIN' && v6.error?.code === 'NXDOMAIN',
    failure: [v4.error, v6.error].find((error) => error !== undefined && !isNoRecords(error)),
  }
}

async function ask(dns: DnsLookup, name: string, family: 4 | 6) {
  try {
    return { records: await dns.addresses(name, family), error: undefined }
  } catch (error) {
    if (error instanceof DnsQueryError) return { records: [], error }
    throw error
  }
}
