/**
 * Prosody a.test and b.test as the bench runs them: certificate mode (SASL EXTERNAL both ways),
 * Nagle off (the testing package's default), XEP-0288 (mod_s2s_bidi) loaded, on 127.0.0.72/73, with alice@a.test and
 * bob@b.test logged in through @xmpp/client. Our own domains are added to the hosts file first:
 * Prosody reads it when it starts.
 */
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import {
  createHostsFile,
  createWorkdir,
  type HostsFile,
  loginUser,
  type ProsodyPeer,
  startProsody,
  type XmppUser,
} from '@xmpp-federation/testing'
import { ADDRESSES, DIRECT_TLS_PORT } from './addresses.js'
import type { BenchContext } from './context.js'
import type { BenchPki } from './pki.js'

export interface ProsodyPair {
  /** The certificates both Prosodys present and trust. */
  readonly pki: BenchPki
  readonly a: ProsodyPeer
  readonly b: ProsodyPeer
  readonly hosts: HostsFile
  readonly alice: XmppUser
  readonly bob: XmppUser
  /** Points `domain` at another address in the hosts file (Prosody re-reads it within ~200 ms). */
  repoint(domain: string, ip: string): Promise<void>
  stop(): Promise<void>
}

const execFileAsync = promisify(execFile)
const PASSWORD = 'bench-secret'

export function adminSocket(domain: string): string {
  return `/tmp/xf-bench-${process.pid}-${domain}.sock`
}

/** Closes every s2s stream of `peer` with `remote` (Prosody's admin shell), so the next stanza opens a cold one. */
export async function closeS2s(peer: ProsodyPeer, remote: string): Promise<void> {
  try {
    await execFileAsync(
      'prosodyctl',
      ['--config', peer.configPath, 'shell', `s2s:closeall(${JSON.stringify(remote)})`],
      {
        timeout: 10_000,
      },
    )
  } catch (error) {
    // Already cold is fine.
    const { message, stdout, stderr } = error as { message: string; stdout?: string; stderr?: string }
    if (!/No sessions to close/.test(`${message}${stdout}${stderr}`)) throw error
  }
}

/** `pki`: the certificates (and CA) the pair uses; the bench's RSA ones unless given. */
export async function startProsodyPair(
  ctx: BenchContext,
  peers: Record<string, string>,
  pki: BenchPki = ctx.pki,
): Promise<ProsodyPair> {
  const workdir = await createWorkdir({ base: ctx.workdir.path })
  const hosts = await createHostsFile(workdir.path)
  for (const [domain, ip] of Object.entries(peers)) await hosts.addHost(domain, ip)
  const start = async (domain: string, ip: string) =>
    startProsody({
      workdir,
      hosts,
      domain,
      ip,
      mode: 'cert',
      certificate: await pki.files(domain),
      cafile: pki.caFile,
      scramIterations: 1000, // logins in ~70 ms instead of ~1 s; nothing else changes
      // admin_shell: s2s:closeall(), to make a link cold again. s2s_bidi: XEP-0288, which the
      // library offers and asks for by default; Prosody ships it but does not load it unless told.
      modules: ['admin_shell', 's2s_bidi'],
      // The default socket path (inside the data dir) is longer than a Unix socket may be.
      extraGlobal: `admin_socket = "${adminSocket(domain)}"`,
      // b.test also takes XEP-0368 direct TLS (P3's direct TLS cases); it still dials STARTTLS.
      ...(domain === 'b.test' ? { s2sDirectTlsPort: DIRECT_TLS_PORT } : {}),
    })
  const [a, b] = await Promise.all([start('a.test', ADDRESSES.prosodyA), start('b.test', ADDRESSES.prosodyB)])
  await a.register('alice', PASSWORD)
  await b.register('bob', PASSWORD)
  const login = (jid: string, ip: string) => loginUser({ jid, password: PASSWORD, ip, ca: pki.caPem })
  const [alice, bob] = await Promise.all([login('alice@a.test', a.ip), login('bob@b.test', b.ip)])
  let generation = 0
  return {
    pki,
    a,
    b,
    hosts,
    alice,
    bob,
    async repoint(domain, ip) {
      const lines = (await readFile(hosts.path, 'utf8'))
        .split('\n')
        .filter((line) => !line.endsWith(` ${domain}`))
      // A comment line changes the file's size, which is what mod_xf_hosts_reload watches.
      lines.push(`${ip} ${domain}`, `# repointed ${domain} (${++generation})`, '')
      await writeFile(hosts.path, lines.filter((line, i) => line !== '' || i === lines.length - 1).join('\n'))
      await new Promise((resolve) => setTimeout(resolve, 600))
    },
    async stop() {
      await Promise.allSettled([alice.stop(), bob.stop()])
      await Promise.allSettled([a.stop(), b.stop()])
      await workdir.cleanup()
    },
  }
}
