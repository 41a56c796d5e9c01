import type { AddressRecord, DnsLookup, SrvRecord } from '@xmpp-federation/router'

/** One DNS question the resolver asked, with its answer or error. */
export interface DnsExchange {
  type: 'SRV' | 'A' | 'AAAA'
  name: string
  /** The answer to an SRV question. */
  srv?: SrvRecord[]
  /** The answer to an A or AAAA question. */
  addresses?: AddressRecord[]
  error?: unknown
}

/**
 * Wraps a DnsLookup so that every question and answer is kept: the router's resolver decides
 * where to connect, exactly as it will in production, and the doctor explains each answer.
 */
export function recordingDns(inner: DnsLookup): { dns: DnsLookup; exchanges: DnsExchange[] } {
  const exchanges: DnsExchange[] = []
  const dns: DnsLookup = {
    async srv(name) {
      try {
        const srv = await inner.srv(name)
        exchanges.push({ type: 'SRV', name, srv })
        return srv
      } catch (error) {
        exchanges.push({ type: 'SRV', name, error })
        throw error
      }
    },
    async addresses(name, family) {
      const type = family === 4 ? 'A' : 'AAAA'
      try {
        const addresses = await inner.addresses(name, family)
        exchanges.push({ type, name, addresses })
        return addresses
      } catch (error) {
        exchanges.push({ type, name, error })
        throw error
      }
    },
  }
  return { dns, exchanges }
}
