import { type DnsLookup, isNoRecords, type SrvRecord } from './dns-lookup.js'

/** The two s2s services: STARTTLS (RFC 6120 §3.2.1) and direct TLS (XEP-0368). */
export const XMPP_SERVER = '_xmpp-server'
export const XMPPS_SERVER = '_xmpps-server'
export type S2sService = typeof XMPP_SERVER | typeof XMPPS_SERVER

/** What one SRV question tells us about a service. */
export type ServiceAnswer =
  /** Records with real targets (root-target entries dropped). */
  | { kind: 'records'; records: SrvRecord[] }
  /** A "." target: "the service is decidedly not available at this domain" (RFC 2782). */
  | { kind: 'unavailable' }
  /** NXDOMAIN or NODATA, or not asked at all. */
  | { kind: 'absent' }

export const NOT_ASKED: ServiceAnswer = { kind: 'absent' }

/** Asks for `<service>._tcp.<domain>` SRV; failures other than "no records" reject (DnsQueryError). */
export async function lookupService(
  dns: DnsLookup,
  service: S2sService,
  domain: string,
): Promise<ServiceAnswer> {
  let records: SrvRecord[]
  try {
    records = await dns.srv(`${service}._tcp.${domain}`)
  } catch (error) {
    if (isNoRecords(error)) return { kind: 'absent' }
    throw error
  }
  if (records.length === 0) return { kind: 'absent' }
  // RFC 2782 speaks of a single "." record. A "." among real targets is unusable
  // rather than a veto; port 0 reaches nothing. An answer with nothing usable
  // still is an answer: no A/AAAA fallback after it (RFC 6120 §3.2.1 step 8).
  const usable = records.filter((record) => !isRootTarget(record.name) && record.port > 0)
  return usable.length > 0 ? { kind: 'records', records: usable } : { kind: 'unavailable' }
}

function isRootTarget(name: string): boolean {
  return name === '' || name === '.'
}
