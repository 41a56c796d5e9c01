import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { xml } from '@xmpp/client'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  type EjabberdMode,
  type EjabberdPeer,
  loginUser,
  type ProsodyPeer,
  runningPeerPids,
  startEjabberd,
  startProsody,
  stopAllPeers,
  type Workdir,
  writeCertificateFiles,
  type XmppUser,
} from '../src/index.js'

// Prosody a.test on 127.0.0.2 and ejabberd b.test on 127.0.0.3 federate in each mode.
const password = 'interop-secret'
const workdirs: Workdir[] = []
let users: XmppUser[] = []

afterEach(async () => {
  await Promise.all(users.map((user) => user.stop()))
  users = []
  await stopAllPeers()
})
afterAll(async () => {
  await stopAllPeers()
  await Promise.all(workdirs.map((workdir) => workdir.cleanup()))
  expect(runningPeerPids()).toEqual([])
})

async function startPair(mode: EjabberdMode) {
  const workdir = await createWorkdir()
  workdirs.push(workdir)
  const hosts = await createHostsFile(workdir.path)
  await hosts.addHost('a.test', '127.0.0.2') // before ejabberd starts: it becomes an SRV record
  const certs = await workdir.subdir('certs')
  const ca = await createTestCA()
  const cafile = path.join(certs, 'ca.crt')
  await writeFile(cafile, ca.certPem)
  const issue = async (domain: string) =>
    writeCertificateFiles(
      certs,
      domain,
      await ca.issue({ dnsNames: [domain], selfSigned: mode === 'dialback' }),
    )
  const [a, b] = await Promise.all([
    startProsody({
      workdir,
      hosts,
      domain: 'a.test',
      ip: '127.0.0.2',
      mode,
      scramIterations: 1000,
      ...(mode === 'plain' ? {} : { certificate: await issue('a.test') }),
      ...(mode === 'cert' ? { cafile } : {}),
    }),
    startEjabberd({
      workdir,
      hosts,
      domain: 'b.test',
      ip: '127.0.0.3',
      mode,
      ...(mode === 'plain' ? {} : { certificate: await issue('b.test') }),
      ...(mode === 'cert' ? { cafile } : {}),
    }),
  ])
  await Promise.all([a.register('alice', password), b.register('bob', password)])
  return { a, b, trust: ca.certPem }
}

async function aliceToBob(a: ProsodyPeer, b: EjabberdPeer, trust: string | undefined) {
  const [alice, bob] = await Promise.all([
    loginUser({ jid: 'alice@a.test', password, ip: a.ip, ca: trust }),
    loginUser({ jid: 'bob@b.test', password, ip: b.ip, ca: trust }),
  ])
  users.push(alice, bob)
  const body = `hello bob ${Date.now()}`
  await alice.send(xml('message', { to: 'bob@b.test', type: 'chat' }, xml('body', {}, body)))
  const received = await bob.nextStanza((stanza) => stanza.getChildText('body') === body)
  expect(received.attrs.from).toBe(alice.jid)
}

describe('ejabberd peers on loopback', () => {
  it('cert mode: Prosody authenticates to ejabberd with SASL EXTERNAL', async () => {
    const { a, b, trust } = await startPair('cert')
    await aliceToBob(a, b, trust)
    await b.waitForLog(/Accepted inbound s2s EXTERNAL authentication a\.test -> b\.test/)
    expect((await b.authEvents())[0]).toMatchObject({
      mechanism: 'EXTERNAL',
      direction: 'incoming',
      local: 'b.test',
      remote: 'a.test',
      secure: true,
    })
  })

  it('plain mode: dialback in the clear, ejabberd verifies a.test over a stream back to Prosody', async () => {
    const { a, b } = await startPair('plain')
    await aliceToBob(a, b, undefined)
    await b.waitForLog(/Accepted inbound s2s dialback authentication a\.test -> b\.test/)
    expect(await b.authEvents()).toContainEqual(
      expect.objectContaining({
        mechanism: 'dialback',
        direction: 'incoming',
        remote: 'a.test',
        secure: false,
      }),
    )
    const pid = b.pid
    await b.stop()
    expect(runningPeerPids()).not.toContain(pid)
  })

  it('refuses an address whose ports another process holds', async () => {
    const workdir = await createWorkdir()
    workdirs.push(workdir)
    const hosts = await createHostsFile(workdir.path)
    const prosody = await startProsody({ workdir, hosts, domain: 'a.test', ip: '127.0.0.2', mode: 'plain' })
    await expect(
      startEjabberd({ workdir, hosts, domain: 'b.test', ip: '127.0.0.2', mode: 'plain' }),
    ).rejects.toThrow(/127\.0\.0\.2:5222 is already in use/)
    expect(runningPeerPids()).toEqual([prosody.pid])
  })
})
