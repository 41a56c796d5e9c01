import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { xml } from '@xmpp/client'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  loginUser,
  type ProsodyMode,
  type ProsodyPeer,
  runningPeerPids,
  startProsody,
  stopAllPeers,
  type Workdir,
  writeCertificateFiles,
  type XmppUser,
} from '../src/index.js'

const password = 'interop-secret'
const startedPids: number[] = []
const workdirs: Workdir[] = []
let users: XmppUser[] = []

afterEach(async () => {
  await Promise.all(users.map((user) => user.stop()))
  users = []
  // each test brings up a.test and b.test on the same addresses: stop them before the next one
  await stopAllPeers()
})

afterAll(async () => {
  await stopAllPeers()
  await Promise.all(workdirs.map((workdir) => workdir.cleanup()))
  expect(runningPeerPids()).toEqual([])
  for (const pid of startedPids) expect(processExists(pid), `pid ${pid} still running`).toBe(false)
})

describe('Prosody peers on loopback', () => {
  it('federate with SASL EXTERNAL in cert mode', async () => {
    const ca = await createTestCA()
    const { a, b, trust } = await startPair('cert', async (dir, domain) => {
      const files = await writeCertificateFiles(dir, domain, await ca.issue({ dnsNames: [domain] }))
      return { certificate: files, cafile: await writeCa(dir, ca.certPem), trust: ca.certPem }
    })

    await deliverChat(a, b, trust)

    expect(await mechanisms(a)).toEqual(['EXTERNAL outgoing a.test->b.test secure'])
    expect(await mechanisms(b)).toEqual(['EXTERNAL incoming b.test->a.test secure'])
    expect((await a.authEvents())[0]).toMatchObject({ certChain: 'valid', certIdentity: 'valid' })
  })

  it('federate with dialback over TLS in dialback mode', async () => {
    const ca = await createTestCA()
    const { a, b, trust } = await startPair('dialback', async (dir, domain) => {
      const selfSigned = await ca.issue({ dnsNames: [domain], commonName: domain, selfSigned: true })
      return { certificate: await writeCertificateFiles(dir, domain, selfSigned), trust: selfSigned.certPem }
    })

    await deliverChat(a, b, trust)

    // one message a -> b: a's outgoing stream is verified by b asking a back (dialback)
    expect(await mechanisms(a)).toContain('dialback outgoing a.test->b.test secure')
    expect(await mechanisms(b)).toContain('dialback incoming b.test->a.test secure')
    for (const event of [...(await a.authEvents()), ...(await b.authEvents())]) {
      expect(event.mechanism).toBe('dialback')
    }
  })
})

describe('Prosody peers without TLS', () => {
  it('find a peer started later (the hosts file is re-read) and use dialback in the clear', async () => {
    const { workdir, hosts } = await freshRun()
    const fastLogin = { scramIterations: 1000 } // accounts registered from here log in ~10x faster
    const a = await startProsody({
      workdir,
      hosts,
      mode: 'plain',
      domain: 'a.test',
      ip: '127.0.0.2',
      ...fastLogin,
    })
    const b = await startProsody({
      workdir,
      hosts,
      mode: 'plain',
      domain: 'b.test',
      ip: '127.0.0.3',
      ...fastLogin,
    })
    startedPids.push(a.pid, b.pid)
    await Promise.all([a.register('alice', password), b.register('bob', password)])
    await a.waitForLog(/xf-hosts-reloaded/) // a.test started when the file had no b.test

    await deliverChat(a, b)

    expect(await mechanisms(a)).toContain('dialback outgoing a.test->b.test')
    expect(await mechanisms(b)).toContain('dialback incoming b.test->a.test')
  })
})

describe('Prosody start failures', () => {
  it('reports a config error with the console log, and leaves no process', async () => {
    const { workdir, hosts } = await freshRun()
    const start = startProsody({
      workdir,
      hosts,
      mode: 'plain',
      domain: 'a.test',
      ip: '127.0.0.2',
      extraGlobal: 'this is not lua',
    })
    await expect(start).rejects.toThrow(/did not start:[\s\S]*exited with code 1[\s\S]*syntax error/)
    expect(runningPeerPids()).toEqual([])
  })

  it('refuses to carry on when Prosody logs errors while starting', async () => {
    const { workdir, hosts } = await freshRun()
    const junk = path.join(await workdir.subdir('certs'), 'junk.pem')
    await writeFile(junk, 'not a certificate\n')
    const start = startProsody({
      workdir,
      hosts,
      mode: 'dialback',
      domain: 'a.test',
      ip: '127.0.0.2',
      certificate: { cert: junk, key: junk },
    })
    await expect(start).rejects.toThrow(/errors while starting:[\s\S]*junk\.pem/)
    expect(runningPeerPids()).toEqual([])
  })

  it('refuses an address whose ports another process holds', async () => {
    const { workdir, hosts } = await freshRun()
    const first = await startProsody({ workdir, hosts, mode: 'plain', domain: 'a.test', ip: '127.0.0.2' })
    startedPids.push(first.pid)
    const second = startProsody({ workdir, hosts, mode: 'plain', domain: 'c.test', ip: '127.0.0.2' })
    await expect(second).rejects.toThrow(/127\.0\.0\.2:5222 is already in use/)
    expect(runningPeerPids()).toEqual([first.pid])
  })
})

async function freshRun() {
  const workdir = await createWorkdir()
  workdirs.push(workdir)
  return { workdir, hosts: await createHostsFile(workdir.path) }
}

interface PeerSecurity {
  certificate: { cert: string; key: string }
  cafile?: string
  /** What a c2s client must trust to talk to this peer. */
  trust: string
}

async function startPair(
  mode: ProsodyMode,
  security: (dir: string, domain: string) => Promise<PeerSecurity>,
) {
  const { workdir, hosts } = await freshRun()
  // both names known before either server starts: no hosts-file reload involved
  await hosts.addHost('a.test', '127.0.0.2')
  await hosts.addHost('b.test', '127.0.0.3')
  const certs = await workdir.subdir('certs')
  const [securityA, securityB] = await Promise.all([security(certs, 'a.test'), security(certs, 'b.test')])
  const [a, b] = await Promise.all([
    startProsody({ workdir, hosts, mode, domain: 'a.test', ip: '127.0.0.2', ...securityA }),
    startProsody({ workdir, hosts, mode, domain: 'b.test', ip: '127.0.0.3', ...securityB }),
  ])
  startedPids.push(a.pid, b.pid)
  await Promise.all([a.register('alice', password), b.register('bob', password)])
  return { a, b, trust: `${securityA.trust}${securityB.trust}` }
}

/** alice@a.test sends bob@b.test a chat message; trust is the PEM for c2s STARTTLS (none in plain mode). */
async function deliverChat(a: ProsodyPeer, b: ProsodyPeer, trust?: string): Promise<void> {
  const [alice, bob] = await Promise.all([
    loginUser({ jid: 'alice@a.test', password, ip: a.ip, ca: trust }),
    loginUser({ jid: 'bob@b.test', password, ip: b.ip, ca: trust }),
  ])
  users.push(alice, bob)
  const body = `hello bob ${Date.now()}`
  await alice.send(xml('message', { to: 'bob@b.test', type: 'chat' }, xml('body', {}, body)))
  const received = await bob.nextStanza(
    (stanza) => stanza.is('message') && stanza.getChildText('body') === body,
  )
  expect(received.attrs.from).toBe(alice.jid)
}

/** "mechanism direction local->remote secure", one per authenticated s2s direction. */
async function mechanisms(peer: ProsodyPeer): Promise<string[]> {
  await peer.waitForLog(/xf-s2s-auth /)
  return (await peer.authEvents()).map(
    (event) =>
      `${event.mechanism} ${event.direction} ${event.local}->${event.remote}${event.secure ? ' secure' : ''}`,
  )
}

async function writeCa(dir: string, pem: string): Promise<string> {
  const file = path.join(dir, 'ca.crt')
  await writeFile(file, pem)
  return file
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
