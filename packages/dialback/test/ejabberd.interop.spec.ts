import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  type EjabberdPeer,
  loginUser,
  startEjabberd,
  stopAllPeers,
  type Workdir,
  writeCertificateFiles,
  type XmppUser,
} from '@xmpp-federation/testing'
import { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestPair } from '../src/index.js'
import { OUR_IP, type OurServer, startOurServer } from './our-server.js'

// ejabberd 23.01 as b.test on 127.0.0.3 with mod_s2s_dialback: a self-signed certificate and
// STARTTLS required. c.test and rooms.c.test are this library on 127.0.0.4:5269.
const EJABBERD_IP = '127.0.0.3'
const PASSWORD = 'interop-secret'

describe('dialback with ejabberd', () => {
  let workdir: Workdir
  let ejabberd: EjabberdPeer
  let bob: XmppUser
  let server: OurServer

  beforeAll(async () => {
    workdir = await createWorkdir()
    const hosts = await createHostsFile(workdir.path)
    // ejabberd reads its peers (static SRV records) once, when it starts.
    await hosts.addHost('c.test', OUR_IP)
    await hosts.addHost('rooms.c.test', OUR_IP)
    const ca = await createTestCA()
    const selfSigned = await ca.issue({ dnsNames: ['b.test'], commonName: 'b.test', selfSigned: true })
    const certificate = await writeCertificateFiles(await workdir.subdir('certs'), 'b.test', selfSigned)
    ;[ejabberd, server] = await Promise.all([
      startEjabberd({ workdir, hosts, domain: 'b.test', ip: EJABBERD_IP, mode: 'dialback', certificate }),
      startOurServer({
        domains: ['c.test', 'rooms.c.test'],
        security: { tls: 'required', requireValidCertificate: false },
        certificate: await ca.issue({ dnsNames: ['c.test', 'rooms.c.test'] }),
        peers: { 'b.test': EJABBERD_IP },
        withExternal: true, // ejabberd offers EXTERNAL to any certificate, then refuses ours
      }),
    ])
    await ejabberd.register('bob', PASSWORD)
    bob = await loginUser({ jid: 'bob@b.test', password: PASSWORD, ip: EJABBERD_IP, ca: selfSigned.certPem })
  })

  afterAll(async () => {
    await bob?.stop()
    await server?.close()
    await stopAllPeers()
    await workdir?.cleanup()
  })

  it('outbound: c.test -> bob@b.test after EXTERNAL is refused, ejabberd logs inbound dialback', async () => {
    const stream = await server.connect('c.test', 'b.test')
    expect(stream.authenticatedPairs).toEqual([{ local: 'c.test', remote: 'b.test', mechanism: 'dialback' }])
    expect(
      stream.features?.getChild('dialback', 'urn:xmpp:features:dialback')?.getChild('errors'),
    ).toBeDefined()
    stream.sendStanza(
      new Element('message', { from: 'bot@c.test/x', to: 'bob@b.test', type: 'chat', id: 'e1' })
        .c('body')
        .t('hello bob')
        .root(),
    )
    const got = await bob.nextStanza((s) => s.attrs.id === 'e1')
    expect(got.getChildText('body')).toBe('hello bob')
    await ejabberd.waitForLog(/Accepted inbound s2s dialback authentication c\.test -> b\.test/)
    expect(await ejabberd.authEvents()).toContainEqual(
      expect.objectContaining({
        mechanism: 'dialback',
        direction: 'incoming',
        local: 'b.test',
        remote: 'c.test',
        secure: true,
      }),
    )
  })

  it('inbound: bob -> carol@c.test, we verify b.test with a stream back to ejabberd', async () => {
    await bob.send(
      new Element('message', { to: 'carol@c.test', type: 'chat', id: 'e2' }).c('body').t('hi carol').root(),
    )
    const received = await server.nextStanza((s) => s.attrs.id === 'e2')
    expect(received.getChildText('body')).toBe('hi carol')
    expect(received.attrs.from).toMatch(/^bob@b\.test\//)
    const carrier = server.inbound.find((s) => s.isAuthenticated('c.test', 'b.test'))!
    expect(carrier.authenticatedPairs).toEqual([{ local: 'c.test', remote: 'b.test', mechanism: 'dialback' }])
    expect(carrier.tls).toBeDefined()
    expect(server.verifications).toContainEqual({ local: 'c.test', remote: 'b.test' })
    await ejabberd.waitForLog(/Accepted outbound s2s dialback authentication b\.test -> c\.test/)
  })

  it('piggybacking: rooms.c.test on the same stream; a target ejabberd does not host is a dialback error', async () => {
    const stream = await server.connect('c.test', 'b.test')
    await requestPair(stream, 'rooms.c.test')
    stream.sendStanza(
      new Element('message', { from: 'room@rooms.c.test/bot', to: 'bob@b.test', type: 'chat', id: 'e3' })
        .c('body')
        .t('from the room')
        .root(),
    )
    expect((await bob.nextStanza((s) => s.attrs.id === 'e3')).attrs.from).toBe('room@rooms.c.test/bot')
    await ejabberd.waitForLog(/Accepted inbound s2s dialback authentication rooms\.c\.test -> b\.test/)
    // ejabberd answers a target it does not serve with <not-allowed/> ("Host unknown"), and keeps the stream.
    await expect(requestPair(stream, 'c.test', 'conference.b.test')).rejects.toMatchObject({
      name: 'DialbackError',
      condition: 'not-allowed',
    })
    expect(stream.phase).toBe('established')
  })
})
