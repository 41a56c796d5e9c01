import {
  createHostsFile,
  createWorkdir,
  loginUser,
  type ProsodyPeer,
  startProsody,
  stopAllPeers,
  type Workdir,
  type XmppUser,
} from '@xmpp-federation/testing'
import { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OUR_IP, type OurServer, startOurServer } from './our-server.js'

// Prosody 0.12 in plain mode (mod_tls not loaded) and our TLS mode none: dialback in the clear.
// a.test is Prosody on 127.0.0.2; c.test is this library on 127.0.0.4:5269.
const PROSODY_IP = '127.0.0.2'
const PASSWORD = 'interop-secret'

describe('dialback with Prosody, no TLS on either side', () => {
  let workdir: Workdir
  let prosody: ProsodyPeer
  let alice: XmppUser
  let server: OurServer

  beforeAll(async () => {
    workdir = await createWorkdir()
    const hosts = await createHostsFile(workdir.path)
    await hosts.addHost('c.test', OUR_IP)
    prosody = await startProsody({
      workdir,
      hosts,
      domain: 'a.test',
      ip: PROSODY_IP,
      mode: 'plain',
      scramIterations: 1000,
    })
    await prosody.register('alice', PASSWORD)
    ;[alice, server] = await Promise.all([
      loginUser({ jid: 'alice@a.test', password: PASSWORD, ip: PROSODY_IP }),
      startOurServer({
        domains: ['c.test'],
        security: { tls: 'none', requireValidCertificate: false },
        peers: { 'a.test': PROSODY_IP },
      }),
    ])
  })

  afterAll(async () => {
    await alice?.stop()
    await server?.close()
    await stopAllPeers()
    await workdir?.cleanup()
  })

  it('outbound: c.test -> alice@a.test', async () => {
    const stream = await server.connect('c.test', 'a.test')
    expect(stream.tls).toBeUndefined()
    expect(stream.authenticatedPairs).toEqual([{ local: 'c.test', remote: 'a.test', mechanism: 'dialback' }])
    stream.sendStanza(
      new Element('message', { from: 'bot@c.test', to: 'alice@a.test', type: 'chat', id: 'p1' })
        .c('body')
        .t('plain hello')
        .root(),
    )
    const got = await alice.nextStanza((s) => s.attrs.id === 'p1')
    expect(got.getChildText('body')).toBe('plain hello')
    await prosody.waitForLog(
      /xf-s2s-auth mechanism=dialback direction=incoming local=a\.test remote=c\.test secure=false/,
    )
  })

  it('inbound: alice -> bob@c.test, verified with a stream back to a.test', async () => {
    await alice.send(
      new Element('message', { to: 'bob@c.test', type: 'chat', id: 'p2' }).c('body').t('plain hi').root(),
    )
    const received = await server.nextStanza((s) => s.attrs.id === 'p2')
    expect(received.getChildText('body')).toBe('plain hi')
    const carrier = server.inbound.find((s) => s.isAuthenticated('c.test', 'a.test'))!
    expect(carrier.tls).toBeUndefined()
    expect(carrier.authenticatedPairs[0]?.mechanism).toBe('dialback')
    expect(server.verifications).toContainEqual({ local: 'c.test', remote: 'a.test' })
    await prosody.waitForLog(
      /xf-s2s-auth mechanism=dialback direction=outgoing local=a\.test remote=c\.test secure=false/,
    )
  })
})
