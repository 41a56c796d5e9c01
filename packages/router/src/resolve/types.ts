import type { DnsLookup } from './dns-lookup.js'

/** One place to open a TCP connection to, in the order the resolver returns them. */
export interface ConnectionTarget {
  /** IP literal, or for a static route whatever name the route gives. */
  host: string
  port: number
  /** TLS from the first byte (XEP-0368) instead of STARTTLS. */
  directTls: boolean
  /** Where it came from. */
  source: 'srv-xmpps' | 'srv-xmpp' | 'fallback' | 'static'
  /**
   * The DNS name `host` was resolved from: the SRV target, or the domain on
   * fallback. Absent for static routes. For logs and diagnostics only: TLS
   * (SNI and certificate checks) always uses the remote domain (RFC 6120
   * §13.7.2.1, XEP-0368), never this name.
   */
  hostname?: string
}

/** A route given by configuration instead of DNS (firewall/NAT deployments, tests). */
export interface StaticRoute {
  host: string
  port: number
  directTls?: boolean
}

/** How resolutions are cached: how many domains, and for how long at most. */
export interface ResolverCacheOptions {
  /** Bound on memory; the least recently used domain goes first. Default 10 000. */
  maxEntries?: number
  /**
   * Upper bound on how long an answer is reused. node:dns does not report SRV
   * TTLs, so this is the effective TTL of the SRV part. Default 60 000.
   */
  maxTtlMs?: number
}

/** Options of createResolver: DNS servers, timeouts, static routes and caching. */
export interface ResolverOptions {
  /** DNS servers as 'ip' or 'ip:port' ('[v6]:port'); default: the system's. */
  servers?: string[]
  /** Budget of one DNS question, default 5000. A resolution asks in up to two rounds. */
  timeoutMs?: number
  /** Static routes by domain: they replace DNS for that domain, tried in the given order. */
  routes?: Record<string, StaticRoute[]>
  /** Whether to look up `_xmpps-server` (XEP-0368); default true. */
  directTls?: boolean
  /** For the RFC 2782 weighted choice; returns [0, 1) like the default Math.random. */
  random?: () => number
  /** Answers DNS questions; default node:dns (c-ares) with `servers` and `timeoutMs`. */
  dns?: DnsLookup
  /** Reuse of answers per domain; `false` turns it off. */
  cache?: ResolverCacheOptions | false
  /** Clock of the cache, in milliseconds; default Date.now. */
  now?: () => number
}

/** Turns a remote domain into the targets to connect to, with a cache. */
export interface Resolver {
  /**
   * The targets of a remote domain, in the order to try them (RFC 6120 §3.2).
   * Rejects with ResolveError, or TypeError for a string that is not a domain.
   */
  resolve(domain: string): Promise<ConnectionTarget[]>
}
