import type { DnsQueryError } from './dns-lookup.js'

/** Why a remote domain could not be resolved; see ResolveError. */
export type ResolveErrorCode = 'NXDOMAIN' | 'NO_TARGETS' | 'TIMEOUT' | 'SERVFAIL' | 'REFUSED'

/**
 * A remote domain that yields nothing to connect to. Code branches on `code`:
 * TIMEOUT maps to `remote-server-timeout`, the others to `remote-server-not-found`
 * (RFC 6120 §8.3.3.16-17).
 */
export class ResolveError extends Error {
  static override readonly name = 'ResolveError'
  override readonly name = 'ResolveError'

  constructor(
    readonly code: ResolveErrorCode,
    readonly domain: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
  }
}

/** A DNS failure that ends a resolution, kept as the cause. */
export function resolveErrorFromDns(domain: string, error: DnsQueryError): ResolveError {
  switch (error.code) {
    case 'TIMEOUT':
      return new ResolveError('TIMEOUT', domain, `${domain}: ${error.message}`, { cause: error })
    case 'REFUSED':
      return new ResolveError('REFUSED', domain, `${domain}: ${error.message}`, { cause: error })
    default:
      return new ResolveError('SERVFAIL', domain, `${domain}: ${error.message}`, { cause: error })
  }
}
