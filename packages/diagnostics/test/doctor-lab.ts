import { writeFile } from 'node:fs/promises'
import { type FederationConfig, parseConfig } from '@xmpp-federation/config'
import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  type DnsServer,
  type DnsZone,
  type HostsFile,
  type IssueOptions,
  type ProsodyMode,
  type ProsodyOptions,
  startDnsServer,
  startProsody,
  type TestCA,
  type Workdir,
  writeCertificateFiles,
} from '@xmpp-federation/testing'

// A row of Prosody servers set up wrong on purpose, each behind its own DNS records, and our
// own deployment (c.test) whose certificate the well-configured ones trust. Shared by the
// doctor's interop tests and the CLI's, and the source of docs/troubleshooting.md.

export const PROSODY_IP = '127.0.0.2'
/** Only the no-SRV scenario needs port 5269 (the A/AAAA fallback always dials 5269). */
export const FALLBACK_IP = '127.0.0.3'
export const DNS_IP = '127.0.0.3'
export const DNS_PORT = 5354
export const LOCAL_DOMAIN = 'c.test'
/** Where nothing listens. */
export const CLOSED_PORT = 25299
/** good.test's direct TLS (XEP-0368) port. */
export const DIRECT_TLS_PORT = 25298

type CertificateKind =
  | 'good'
  | 'wrong-name'
  | 'expired'
  | 'expiring'
  | 'not-yet-valid'
  | 'untrusted'
  | 'code-signing'
  | 'expired-intermediate'

interface PeerPlan {
  domain: string
  certificate?: CertificateKind
  mode: ProsodyMode
  /** Whose CA Prosody trusts for our certificate: ours (SASL EXTERNAL for c.test) or a stranger's. */
  trusts?: 'our-ca' | 'other-ca'
  disableModules?: string[]
  extraGlobal?: string
  ip?: string
  s2sPort?: number
}

const DAY = 86_400_000

/** Each misconfigured peer, and the good one, by what is wrong with it. */
export const PEERS = {
  good: {
    domain: 'good.test',
    certificate: 'good',
    mode: 'cert',
    trusts: 'our-ca',
    extraGlobal: `s2s_direct_tls_ports = { ${DIRECT_TLS_PORT} }`,
  },
  wrongName: { domain: 'wrongname.test', certificate: 'wrong-name', mode: 'cert', trusts: 'our-ca' },
  expired: { domain: 'expired.test', certificate: 'expired', mode: 'cert', trusts: 'our-ca' },
  expiring: { domain: 'expiring.test', certificate: 'expiring', mode: 'cert', trusts: 'our-ca' },
  notYetValid: { domain: 'notyet.test', certificate: 'not-yet-valid', mode: 'cert', trusts: 'our-ca' },
  brokenChain: {
    domain: 'brokenchain.test',
    certificate: 'expired-intermediate',
    mode: 'cert',
    trusts: 'our-ca',
  },
  untrusted: { domain: 'untrusted.test', certificate: 'untrusted', mode: 'cert', trusts: 'our-ca' },
  purpose: { domain: 'purpose.test', certificate: 'code-signing', mode: 'cert', trusts: 'our-ca' },
  noDialback: {
    domain: 'nodialback.test',
    certificate: 'good',
    mode: 'cert',
    trusts: 'our-ca',
    disableModules: ['dialback'],
  },
  noExternal: { domain: 'noexternal.test', certificate: 'good', mode: 'dialback', trusts: 'other-ca' },
  distrusts: { domain: 'distrusts.test', certificate: 'good', mode: 'cert', trusts: 'other-ca' },
  plain: { domain: 'plain.test', mode: 'plain' },
  fallback: {
    domain: 'fallback.test',
    certificate: 'good',
    mode: 'cert',
    trusts: 'our-ca',
    ip: FALLBACK_IP,
    s2sPort: 5269,
  },
} satisfies Record<string, PeerPlan>

export type PeerName = keyof typeof PEERS

/** Domains with DNS records but no server of their own. */
export const DNS_ONLY = {
  closed: 'closed.test',
  nxdomain: 'nxdomain.test',
  noAddress: 'noaddress.test',
  optOut: 'optout.test',
  wrongHost: 'stranger.test',
  directTlsOnPlainPort: 'tlsmismatch.test',
} as const

export interface DoctorLab {
  workdir: Workdir
  dns: DnsServer
  ca: TestCA
  /** Our deployment: c.test with a certificate from `ca`, the lab's DNS server, `ca` trusted. */
  config: FederationConfig
  /** The same deployment, written as a YAML file. */
  configFile: string
  /** The s2s port of each peer. */
  ports: Record<PeerName, number>
  /** The c2s port of each peer (a server that speaks XMPP, but not server-to-server). */
  c2sPorts: Record<PeerName, number>
  /** Writes a variant of our deployment's configuration (top-level keys replaced); returns its path. */
  writeConfig(name: string, overrides: Record<string, unknown>): Promise<string>
}

export async function startDoctorLab(): Promise<DoctorLab> {
  const workdir = await createWorkdir()
  const hosts = await createHostsFile(workdir.path)
  const certs = await workdir.subdir('certs')
  const ca = await createTestCA({ name: 'Lab CA' })
  const otherCa = await createTestCA({ name: 'Stranger CA' })
  const caFile = `${certs}/lab-ca.crt`
  const otherCaFile = `${certs}/stranger-ca.crt`
  await writeFile(caFile, ca.certPem)
  await writeFile(otherCaFile, otherCa.certPem)

  // Where the peers look for our domain when dialback makes them call back: nothing of ours
  // listens there, so a dialback attempt fails at once, as it does while our servers are down.
  await hosts.addHost(LOCAL_DOMAIN, PROSODY_IP)
  const ports = {} as Record<PeerName, number>
  const c2sPorts = {} as Record<PeerName, number>
  const names = Object.keys(PEERS) as PeerName[]
  names.forEach((name, index) => {
    ports[name] = (PEERS[name] as PeerPlan).s2sPort ?? 25269 + index
    c2sPorts[name] = 25222 + index
  })
  await Promise.all(
    names.map((name) =>
      startPeer(PEERS[name], {
        workdir,
        hosts,
        certs,
        ca,
        otherCa,
        caFiles: { 'our-ca': caFile, 'other-ca': otherCaFile },
        s2sPort: ports[name],
        c2sPort: c2sPorts[name],
      }),
    ),
  )
  const dns = await startDnsServer({ workdir, ip: DNS_IP, port: DNS_PORT, zone: labZone(ports) })

  const ours = await writeCertificateFiles(
    certs,
    LOCAL_DOMAIN,
    await ca.issue({ dnsNames: [LOCAL_DOMAIN], notAfter: inOneYear() }),
  )
  const settings = {
    cluster: 'lab',
    node: 'doctor',
    domains: [LOCAL_DOMAIN],
    tls: { cert: ours.cert, key: ours.key, ca: [caFile], systemCa: false },
    dialback: { secret: 'lab-dialback-secret-0123456789' },
    dns: { servers: [dns.address], timeoutMs: 2000 },
  }
  const writeConfig = async (name: string, overrides: Record<string, unknown>) => {
    const file = `${workdir.path}/${name}`
    await writeFile(file, JSON.stringify({ ...settings, ...overrides }, null, 2))
    return file
  }
  const configFile = await writeConfig('federation.json', {})
  return { workdir, dns, ca, config: parseConfig(settings), configFile, ports, c2sPorts, writeConfig }
}

interface PeerEnvironment {
  workdir: Workdir
  hosts: HostsFile
  certs: string
  ca: TestCA
  otherCa: TestCA
  caFiles: Record<'our-ca' | 'other-ca', string>
  s2sPort: number
  c2sPort: number
}

async function startPeer(plan: PeerPlan, env: PeerEnvironment) {
  const certificate = plan.certificate
    ? await writeCertificateFiles(env.certs, plan.domain, await issue(plan, env))
    : undefined
  const options: ProsodyOptions = {
    domain: plan.domain,
    ip: plan.ip ?? PROSODY_IP,
    mode: plan.mode,
    s2sPort: env.s2sPort,
    c2sPort: env.c2sPort,
    ...(certificate ? { certificate: { cert: certificate.cert, key: certificate.key } } : {}),
    ...(plan.trusts ? { cafile: env.caFiles[plan.trusts] } : {}),
    ...(plan.disableModules ? { disableModules: plan.disableModules } : {}),
    ...(plan.extraGlobal ? { extraGlobal: plan.extraGlobal } : {}),
  }
  // An expired or odd certificate makes Prosody log errors while it starts, and still serve.
  return startProsody({ ...options, workdir: env.workdir, hosts: env.hosts, allowStartupErrors: true })
}

async function issue(plan: PeerPlan, env: PeerEnvironment) {
  const now = Date.now()
  const own: IssueOptions = { dnsNames: [plan.domain], commonName: plan.domain, notAfter: inOneYear() }
  switch (plan.certificate) {
    case 'wrong-name':
      return env.ca.issue({ dnsNames: ['other.test'], commonName: 'other.test', notAfter: inOneYear() })
    case 'expired':
      return env.ca.issue({ ...own, notBefore: new Date(now - 60 * DAY), notAfter: new Date(now - 2 * DAY) })
    case 'expiring':
      return env.ca.issue({ ...own, notAfter: new Date(now + 10 * DAY + 3_600_000) })
    case 'not-yet-valid':
      return env.ca.issue({ ...own, notBefore: new Date(now + 5 * DAY) })
    case 'expired-intermediate': {
      const window = { notBefore: new Date(now - 90 * DAY), notAfter: new Date(now - DAY) }
      const intermediate = await env.ca.intermediate('Lapsed Intermediate CA', window)
      return intermediate.issue({ ...own, notBefore: window.notBefore })
    }
    case 'untrusted':
      return env.otherCa.issue(own)
    case 'code-signing':
      return env.ca.issue({ ...own, extendedKeyUsage: ['codeSigning'] })
    default:
      return env.ca.issue(own)
  }
}

/** Test CA certificates default to 30 days, inside the doctor's expiry warning. */
function inOneYear(): Date {
  return new Date(Date.now() + 365 * DAY)
}

function labZone(ports: Record<PeerName, number>): DnsZone {
  const srv: NonNullable<DnsZone['srv']> = []
  const a: NonNullable<DnsZone['a']> = []
  for (const name of Object.keys(PEERS) as PeerName[]) {
    const plan: PeerPlan = PEERS[name]
    a.push({ name: plan.domain, address: plan.ip ?? PROSODY_IP })
    if (name === 'fallback') continue // no SRV: the A/AAAA fallback
    srv.push({ name: `_xmpp-server._tcp.${plan.domain}`, target: plan.domain, port: ports[name] })
  }
  srv.push({ name: '_xmpps-server._tcp.good.test', target: 'good.test', port: DIRECT_TLS_PORT })
  srv.push({ name: `_xmpp-server._tcp.${DNS_ONLY.closed}`, target: DNS_ONLY.closed, port: CLOSED_PORT })
  a.push({ name: DNS_ONLY.closed, address: PROSODY_IP })
  srv.push({
    name: `_xmpp-server._tcp.${DNS_ONLY.noAddress}`,
    target: `ghost.${DNS_ONLY.noAddress}`,
    port: 5269,
  })
  a.push({ name: DNS_ONLY.noAddress, address: PROSODY_IP })
  srv.push({ name: `_xmpp-server._tcp.${DNS_ONLY.optOut}`, target: '.' })
  srv.push({ name: `_xmpp-server._tcp.${DNS_ONLY.wrongHost}`, target: 'good.test', port: ports.good })
  // Published for direct TLS, but the port speaks STARTTLS.
  srv.push({
    name: `_xmpps-server._tcp.${DNS_ONLY.directTlsOnPlainPort}`,
    target: 'good.test',
    port: ports.good,
  })
  return { srv, a }
}
