import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createDevelopmentCertificates } from '@xmpp-federation/cli'
import type { FederationConfigInput } from '@xmpp-federation/config'

/** One gateway of a demo (or test) deployment on loopback. */
export interface DemoDomain {
  readonly domain: string
  /** The 127.0.0.x address its s2s listener binds. */
  readonly ip: string
  /** Default 5269, the port other XMPP servers dial. */
  readonly s2sPort?: number
  /** 0 leaves `http` out of the config, for callers that pass their own (tests: any free port). */
  readonly httpPort: number
}

export const DEMO_DOMAINS: readonly DemoDomain[] = [
  { domain: 'c.test', ip: '127.0.0.4', httpPort: 8484 },
  { domain: 'd.test', ip: '127.0.0.5', httpPort: 8485 },
]

/**
 * Writes a development CA, one certificate per domain (DNS SAN only, as RFC 9525
 * asks; made by the cli, so the demo runs on public packages only) and one
 * gateway config per domain, each with static routes to the others: TLS
 * required, SASL EXTERNAL, nothing from DNS. Returns the config file paths by
 * domain, ready for `pnpm gateway --config`.
 */
export async function writeDemoDeployment(
  dir: string,
  domains: readonly DemoDomain[] = DEMO_DOMAINS,
  extra: Partial<FederationConfigInput> = {},
): Promise<Record<string, string>> {
  // force: written again, a deployment gets new certificates (signed by the CA already in dir, if any).
  await createDevelopmentCertificates({
    dir,
    domains: domains.map(({ domain }) => domain),
    caName: 'xmpp-federation gateway demo CA',
    force: true,
  })
  const files: Record<string, string> = {}
  for (const { domain, ip, s2sPort = 5269, httpPort } of domains) {
    const routes = Object.fromEntries(
      domains
        .filter((peer) => peer.domain !== domain)
        .map((peer) => [peer.domain, [{ host: peer.ip, port: peer.s2sPort ?? 5269 }]]),
    )
    const config: FederationConfigInput = {
      domains: [domain],
      listen: [{ host: ip, port: s2sPort }],
      // Relative paths: the config file's directory is their base.
      tls: { cert: `${domain}.crt`, key: `${domain}.key`, ca: ['ca.crt'], systemCa: false },
      security: {
        tls: 'required',
        requireValidCertificate: true,
        saslExternal: { inbound: true, outbound: true },
      },
      http: httpPort === 0 ? undefined : { host: '127.0.0.1', port: httpPort },
      ...extra,
      routes: { ...routes, ...extra.routes },
    }
    files[domain] = join(dir, `${domain}.json`)
    await writeFile(files[domain], `${JSON.stringify(config, null, 2)}\n`)
  }
  return files
}
