import { requireDomain } from '@xmpp-federation/stream'
import type { ConnectionTarget, StaticRoute } from './types.js'

/**
 * Static routes keyed by normalised domain, checked once at construction so that
 * a typo in configuration fails at startup, not at the first stanza.
 */
export function compileStaticRoutes(routes: Record<string, StaticRoute[]>): Map<string, ConnectionTarget[]> {
  const compiled = new Map<string, ConnectionTarget[]>()
  for (const [key, list] of Object.entries(routes)) {
    const domain = requireDomain(key, 'static route domain')
    if (compiled.has(domain))
      throw new TypeError(`static routes list ${domain} twice (as ${JSON.stringify(key)})`)
    if (!Array.isArray(list) || list.length === 0)
      throw new TypeError(`static route for ${domain} has no targets`)
    compiled.set(
      domain,
      list.map((route) => {
        if (typeof route.host !== 'string' || route.host.length === 0) {
          throw new TypeError(`static route for ${domain} has no host`)
        }
        if (!Number.isInteger(route.port) || route.port < 1 || route.port > 65535) {
          throw new TypeError(`static route for ${domain} has port ${route.port}, outside 1..65535`)
        }
        return { host: route.host, port: route.port, directTls: route.directTls ?? false, source: 'static' }
      }),
    )
  }
  return compiled
}
