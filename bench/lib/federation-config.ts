import type { FederationConfigInput } from '@xmpp-federation/config'
import { DIRECT_TLS_PORT, PORT } from './addresses.js'
import type { BenchPki } from './pki.js'

export interface FederationSetup {
  /** Local domains; the first one's certificate is the default. */
  domains: string[]
  /** Where to listen, if at all. */
  listen?: string
  /** Remote domain -> the address it listens on (static routes, port 5269; direct TLS: 5270). */
  routes?: Record<string, string | { host: string; directTls: true }>
  /** Also listen for XEP-0368 direct TLS on port 5270 (at `listen`). */
  directTlsListener?: boolean
  /** Give every local domain its own certificate (instead of only the first's). */
  certificatePerDomain?: boolean
  /** Override policy settings, e.g. `peerRules: []`. */
  policy?: FederationConfigInput['policy']
  /** Concurrent streams allowed per remote domain (policy default: 8). */
  maxStreams?: number
}

/**
 * A federation configuration as the bench runs it: TLS required, SASL EXTERNAL with the bench
 * CA, static routes on loopback. The one departure from the defaults is the inbound rate limit
 * (100 stanzas/s per remote domain): the bench measures the link, not the limiter.
 */
export async function federationConfig(
  pki: BenchPki,
  setup: FederationSetup,
): Promise<FederationConfigInput> {
  const [first] = setup.domains
  if (!first) throw new Error('a federation needs a local domain')
  const main = await pki.files(first)
  let certificates: Record<string, { cert: string; key: string }> | undefined
  if (setup.certificatePerDomain) {
    await pki.issueAll(setup.domains)
    certificates = {}
    for (const domain of setup.domains) certificates[domain] = await pki.files(domain)
  }
  const routes: Record<string, { host: string; port: number; directTls?: boolean }[]> = {}
  for (const [domain, target] of Object.entries(setup.routes ?? {})) {
    routes[domain] = [
      typeof target === 'string'
        ? { host: target, port: PORT }
        : { host: target.host, port: DIRECT_TLS_PORT, directTls: true },
    ]
  }
  const listen = setup.listen
    ? [
        { host: setup.listen, port: PORT },
        ...(setup.directTlsListener ? [{ host: setup.listen, port: DIRECT_TLS_PORT, directTls: true }] : []),
      ]
    : []
  return {
    domains: setup.domains,
    listen,
    tls: { cert: main.cert, key: main.key, ca: [pki.caFile], systemCa: false, certificates },
    // One secret for every bench federation, as a deployment has (and no warning per start).
    dialback: { secret: 'the-bench-deployment-shares-one-dialback-secret' },
    // The load keeps up to 20,000 stanzas in flight per link; past the XEP-0198 window they wait
    // in the link's queue, so it is sized like a deployment built for bursts would size it.
    queue: { maxStanzas: 100_000, maxBytes: 256 * 1024 * 1024 },
    routes,
    policy: {
      limits: {
        stanzasPerSecond: 1_000_000_000,
        burst: 1_000_000_000,
        ...(setup.maxStreams ? { maxStreams: setup.maxStreams } : {}),
      },
      ...setup.policy,
    },
  }
}
