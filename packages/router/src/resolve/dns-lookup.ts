/**
 * The few DNS questions the resolver asks, behind one small interface: tests
 * answer them from a table, hosts may plug in their own DNS stack, and the
 * default (node-dns.ts) asks c-ares.
 *
 * Names are absolute and given without the trailing dot.
 */
export interface DnsLookup {
  /** SRV records (RFC 2782); rejects with DnsQueryError. */
  srv(name: string): Promise<SrvRecord[]>
  /** A (family 4) or AAAA (family 6) records; rejects with DnsQueryError. */
  addresses(name: string, family: 4 | 6): Promise<AddressRecord[]>
}

export interface SrvRecord {
  /** The target host name; '' or '.' is the root: "decidedly not available" (RFC 2782). */
  name: string
  port: number
  priority: number
  weight: number
  /** When the lookup knows it (node:dns does not report SRV TTLs). */
  ttlSeconds?: number
}

export interface AddressRecord {
  address: string
  ttlSeconds?: number
}

/**
 * NXDOMAIN: the name does not exist; NODATA: it exists without records of that
 * type. Both are answers; the other three are failures to get one.
 */
export type DnsQueryFailure = 'NXDOMAIN' | 'NODATA' | 'TIMEOUT' | 'SERVFAIL' | 'REFUSED'

export class DnsQueryError extends Error {
  static override readonly name = 'DnsQueryError'
  override readonly name = 'DnsQueryError'

  constructor(
    readonly code: DnsQueryFailure,
    /** e.g. 'SRV _xmpp-server._tcp.a.test' */
    readonly question: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
  }
}

/** Only NXDOMAIN and NODATA mean "no such records"; anything else is a failure. */
export function isNoRecords(error: unknown): error is DnsQueryError {
  return error instanceof DnsQueryError && (error.code === 'NXDOMAIN' || error.code === 'NODATA')
}
