import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  type IssuedCertificate,
  loginUser,
  type ProsodyPeer,
  type S2sAuthEvent,
  startProsody,
  stopAllPeers,
  type Workdir,
  writeCertificateFiles,
  type XmppUser,
} from '@xmpp-federation/testing'
import { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DialbackError, requestPair } from '../src/index.js'
import { OUR_IP, type OurServer, startOurServer } from './our-server.js'

// Prosody 0.12 in dialback mode: TLS required, a self-signed certificate, s2s_secure_auth = false.
// a.test is Prosody on 127.0.0.2; c.test (and rooms.c.test) is this library on 127.0.0.4:5269.
const PROSODY_IP = '127.0.0.2'
const PASSWORD = 'interop-secret'

let workdir: Workdir
let prosody: ProsodyPeer
let alice: XmppUser
let ours: IssuedCertificate

beforeAll(async () => {
  workdir = await createWorkdir()
  const hosts = await createHostsFile(workdir.path)
  await hosts.addHost('c.test', OUR_IP)
  await hosts.addHost('rooms.c.test', OUR_IP)
  const ca = await createTestCA()
  // Prosody has no cafile in this mode: our CA-signed certificate is as unverifiable to it as its own to us.
  ours = await ca.issue({ dnsNames: ['c.test', 'rooms.c.test'] })
  const selfSigned = await ca.issue({ dnsNames: ['a.test'], commonName: 'a.test', selfSigned: true })
  const files = await writeCertificateFiles(await workdir.subdir('certs'), 'a.test', selfSigned)
  prosody = await startProsody({
    workdir,
    hosts,
    domain: 'a.test',
    ip: PROSODY_IP,
    mode: 'dialback',
    certificate: files,
    scramIterations: 1000,
  })
  await prosody.register('alice', PASSWORD)
  alice = await loginUser({ jid: 'alice@a.test', password: PASSWORD, ip: PROSODY_IP, ca: selfSigned.certPem })
})

afterAll(async () => {
  await alice?.stop()
  await stopAllPeers()
  await workdir?.cleanup()
})

const chat = (from: string, to: string, id: string, body: string) =>
  new Element('message', { from, to, type: 'chat', id }).c('body').t(body).root()

/** Prosody's auth log lines that appeared after `before` of them, as "mechanism direction local remote". */
async function authSince(before: number): Promise<string[]> {
  const events: S2sAuthEvent[] = (await prosody.authEvents()).slice(before)
  return events.map((e) => `${e.mechanism} ${e.direction} ${e.local} ${e.remote}${e.secure ? ' secure' : ''}`)
}

describe.each(['required', 'opportunistic'] as const)(
  'our TLS mode %s, no valid certificate required',
  (tls) => {
    let server: OurServer
    let logBefore: number

    beforeAll(async () => {
      logBefore = (await prosody.authEvents()).length
      server = await startOurServer({
        domains: ['c.test', 'rooms.c.test'],
        security: { tls, requireValidCertificate: false },
        certificate: ours,
        peers: { 'a.test': PROSODY_IP },
      })
    })
    afterAll(async () => {
      await server.close()
    })

    it('outbound: c.test -> alice@a.test, Prosody verifies our key with our authoritative role', async () => {
      const stream = await server.connect('c.test', 'a.test')
      expect(stream.authenticatedPairs).toEqual([
        { local: 'c.test', remote: 'a.test', mechanism: 'dialback' },
      ])
      expect(stream.tls?.protocol).toMatch(/^TLSv1\.[23]$/)
      stream.sendStanza(chat('bot@c.test/x', 'alice@a.test', `out-${tls}`, 'hello alice'))
      const got = await alice.nextStanza((s) => s.is('message') && s.attrs.id === `out-${tls}`)
      expect(got.getChildText('body')).toBe('hello alice')
      await prosody.waitForLog(
        /xf-s2s-auth mechanism=dialback direction=incoming local=a\.test remote=c\.test/,
      )
      expect(await authSince(logBefore)).toContain('dialback incoming a.test c.test secure')
    })

    it('inbound: alice -> bob@c.test, we verify Prosody with a stream back to a.test', async () => {
      await alice.send(
        new Element('message', { to: 'bob@c.test', type: 'chat', id: `in-${tls}` })
          .c('body')
          .t('hi bob')
          .root(),
      )
      const received = await server.nextStanza((s) => s.attrs.id === `in-${tls}`)
      expect(received.getChildText('body')).toBe('hi bob')
      expect(received.attrs.from).toMatch(/^alice@a\.test\//)
      const carrier = server.inbound.find((s) => s.isAuthenticated('c.test', 'a.test'))!
      expect(carrier.authenticatedPairs).toEqual([
        { local: 'c.test', remote: 'a.test', mechanism: 'dialback' },
      ])
      expect(carrier.tls).toBeDefined()
      expect(server.verifications).toContainEqual({ local: 'c.test', remote: 'a.test' })
      expect(await authSince(logBefore)).toContain('dialback outgoing a.test c.test secure')
    })

    it('piggybacking: rooms.c.test joins the stream; Prosody announced no dialback errors, so no other target', async () => {
      const stream = await server.connect('c.test', 'a.test') // a second stream: Prosody keys per stream
      await requestPair(stream, 'rooms.c.test')
      expect(stream.isAuthenticated('rooms.c.test', 'a.test')).toBe(true)
      stream.sendStanza(chat('room@rooms.c.test/bot', 'alice@a.test', `pig-${tls}`, 'from the room'))
      const got = await alice.nextStanza((s) => s.attrs.id === `pig-${tls}`)
      expect(got.attrs.from).toBe('room@rooms.c.test/bot')
      await expect(requestPair(stream, 'c.test', 'conference.a.test')).rejects.toEqual(
        expect.objectContaining({ name: DialbackError.name, condition: 'feature-not-implemented' }),
      )
      expect(await authSince(logBefore)).toContain('dialback incoming a.test rooms.c.test secure')
    })
  },
)
