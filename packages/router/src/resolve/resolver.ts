import { requireDomain } from '@xmpp-federation/stream'
import { createExpiringCache, type ExpiringCache } from './cache.js'
import { toConnectionTargets } from './connection-targets.js'
import { DnsQueryError } from './dns-lookup.js'
import { createNodeDnsLookup } from './node-dns.js'
import { planResolution, type ResolutionPlan } from './plan.js'
import { resolveErrorFromDns } from './resolve-error.js'
import { compileStaticRoutes } from './static-routes.js'
import type { Resolver, ResolverOptions } from './types.js'

/** Default budget of one DNS question, in ms. */
export const DEFAULT_DNS_TIMEOUT_MS = 5000
/** Default number of domains whose resolution is cached. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000
/** Default upper bound on how long a resolution is reused, in ms. */
export const DEFAULT_CACHE_MAX_TTL_MS = 60_000

/**
 * Turns a remote domain into the ordered targets to connect to: a static route
 * when one is configured, else DNS (SRV per RFC 6120 §3.2.1 and XEP-0368, then
 * the A/AAAA fallback of §3.2.2).
 *
 * Caching: what DNS said (SRV records and their addresses) is kept per domain for
 * the smallest TTL reported, capped by `cache.maxTtlMs` (node:dns reports no SRV
 * TTL, so the cap is the SRV TTL in practice); a TTL of 0 is not cached. The
 * weighted random order is drawn anew on every call, so load still spreads
 * (RFC 2782). Failures are not cached: the caller's reconnect backoff paces retries.
 */
export function createResolver(options: ResolverOptions = {}): Resolver {
  const routes = compileStaticRoutes(options.routes ?? {})
  const dns =
    options.dns ??
    createNodeDnsLookup({ servers: options.servers, timeoutMs: options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS })
  const directTls = options.directTls ?? true
  const random = options.random ?? Math.random
  const cache = createPlanCache(options)
  // Concurrent resolutions of one domain share their DNS questions.
  const inFlight = new Map<string, Promise<ResolutionPlan>>()

  async function plan(domain: string): Promise<ResolutionPlan> {
    try {
      return await planResolution(dns, domain, { directTls })
    } catch (error) {
      throw error instanceof DnsQueryError ? resolveErrorFromDns(domain, error) : error
    }
  }

  function cachedPlan(domain: string): Promise<ResolutionPlan> {
    const cached = cache?.plans.get(domain)
    if (cached) return Promise.resolve(cached)
    let pending = inFlight.get(domain)
    if (pending === undefined) {
      pending = plan(domain)
        .then((result) => {
          cache?.store(domain, result)
          return result
        })
        .finally(() => inFlight.delete(domain))
      inFlight.set(domain, pending)
    }
    return pending
  }

  return {
    async resolve(input) {
      const domain = requireDomain(input)
      const route = routes.get(domain)
      if (route) return route.map((target) => ({ ...target }))
      const { candidates } = await cachedPlan(domain)
      return toConnectionTargets(candidates, random)
    },
  }
}

function createPlanCache(options: ResolverOptions) {
  if (options.cache === false) return undefined
  const maxTtlMs = options.cache?.maxTtlMs ?? DEFAULT_CACHE_MAX_TTL_MS
  const plans: ExpiringCache<ResolutionPlan> = createExpiringCache({
    maxEntries: options.cache?.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
    now: options.now ?? Date.now,
  })
  const store = (domain: string, plan: ResolutionPlan) => {
    const ttlMs = plan.ttlSeconds === undefined ? maxTtlMs : Math.min(maxTtlMs, plan.ttlSeconds * 1000)
    plans.set(domain, plan, ttlMs)
  }
  return { plans, store }
}
