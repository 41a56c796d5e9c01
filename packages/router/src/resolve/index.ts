/**
 * The resolver: remote XMPP domain in, ordered connection targets out.
 *
 * @example
 * ```ts
 * const resolver = createResolver({ routes: { 'partner.example': [{ host: '192.0.2.7', port: 5269 }] } })
 * for (const target of await resolver.resolve('example.org')) {
 *   // connect to target.host:target.port, TLS from the first byte when target.directTls,
 *   // SNI and certificate checks against 'example.org'
 * }
 * ```
 */
export {
  type AddressRecord,
  type DnsLookup,
  DnsQueryError,
  type DnsQueryFailure,
  type SrvRecord,
} from './dns-lookup.js'
export { createNodeDnsLookup, type NodeDnsOptions } from './node-dns.js'
export { XMPP_SERVER_PORT } from './plan.js'
export { ResolveError, type ResolveErrorCode } from './resolve-error.js'
export {
  createResolver,
  DEFAULT_CACHE_MAX_ENTRIES,
  DEFAULT_CACHE_MAX_TTL_MS,
  DEFAULT_DNS_TIMEOUT_MS,
} from './resolver.js'
export { orderByPriorityAndWeight, type Prioritized } from './srv-order.js'
export type {
  ConnectionTarget,
  Resolver,
  ResolverCacheOptions,
  ResolverOptions,
  StaticRoute,
} from './types.js'
