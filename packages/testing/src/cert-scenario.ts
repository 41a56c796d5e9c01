import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createHostsFile, type HostsFile } from './hosts.js'
import { createTestCA, type IssuedCertificate, type TestCA, writeCertificateFiles } from './pki.js'
import { type ProsodyPeer, startProsody } from './prosody.js'
import { createWorkdir, type Workdir } from './workdir.js'
import { loginUser, type XmppUser } from './xmpp-user.js'

export interface CertScenarioOptions {
  /** The Prosody domain and the address it binds. */
  domain: string
  ip: string
  /** Our own domains under test and the addresses they listen on, so Prosody can dial them. */
  ours: Record<string, string>
  /** Extra Prosody modules, e.g. 'version' or 'smacks'. */
  modules?: string[]
  /** Accounts to create on Prosody; default ['alice']. */
  users?: string[]
  /** Extra global lines for Prosody's configuration, e.g. a short `admin_socket` path. */
  extraGlobal?: string
}

/** A Prosody in certificate mode, a CA both sides trust, and what a test needs around them. */
export interface CertScenario {
  readonly workdir: Workdir
  readonly hosts: HostsFile
  readonly ca: TestCA
  readonly prosody: ProsodyPeer
  /** Certificate for one of our domains, issued once per domain (DNS SAN only). */
  certificateFor(domain: string): Promise<IssuedCertificate>
  /** PEM files for one of our domains, for configs that take paths. */
  filesFor(domain: string): Promise<{ cert: string; key: string; ca: string }>
  /** Logs a Prosody account in (the password is the scenario's). */
  login(user: string): Promise<XmppUser>
  /** Stops Prosody and removes the files (unless XF_KEEP_PEERS=1). */
  cleanup(): Promise<void>
}

export const SCENARIO_PASSWORD = 'interop-secret'

/**
 * The common interop setup: a throwaway CA, certificates with DNS SANs only
 * (ejabberd 23.01 crashes on xmppAddr), Prosody with s2s_secure_auth on one
 * loopback address, our domains in its hosts file, accounts registered.
 */
export async function startCertScenario(options: CertScenarioOptions): Promise<CertScenario> {
  const workdir = await createWorkdir()
  const hosts = await createHostsFile(workdir.path)
  for (const [domain, ip] of Object.entries(options.ours)) await hosts.addHost(domain, ip)
  const ca = await createTestCA()
  const certDir = await workdir.subdir('certs')
  const caFile = path.join(certDir, 'ca.crt')
  await writeFile(caFile, ca.certPem)
  const theirs = await writeCertificateFiles(
    certDir,
    options.domain,
    await ca.issue({ dnsNames: [options.domain] }),
  )
  const prosody = await startProsody({
    workdir,
    hosts,
    domain: options.domain,
    ip: options.ip,
    mode: 'cert',
    certificate: { cert: theirs.cert, key: theirs.key },
    cafile: caFile,
    modules: options.modules,
    ...(options.extraGlobal === undefined ? {} : { extraGlobal: options.extraGlobal }),
  })
  for (const user of options.users ?? ['alice']) await prosody.register(user, SCENARIO_PASSWORD)

  const issued = new Map<string, Promise<IssuedCertificate>>()
  const certificateFor = (domain: string) => {
    let cert = issued.get(domain)
    if (!cert) {
      cert = ca.issue({ dnsNames: [domain] })
      issued.set(domain, cert)
    }
    return cert
  }
  const users: XmppUser[] = []
  return {
    workdir,
    hosts,
    ca,
    prosody,
    certificateFor,
    async filesFor(domain) {
      const files = await writeCertificateFiles(certDir, domain, await certificateFor(domain))
      return { cert: files.cert, key: files.key, ca: caFile }
    },
    async login(user) {
      const jid = `${user}@${options.domain}`
      const session = await loginUser({ jid, password: SCENARIO_PASSWORD, ip: options.ip, ca: ca.certPem })
      users.push(session)
      return session
    },
    async cleanup() {
      for (const user of users) await user.stop()
      await prosody.stop()
      await workdir.cleanup()
    },
  }
}
