import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect as netConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { FederationConfigInput } from '@xmpp-federation/config'
import {
  type CertScenario,
  startCertScenario,
  stopAllPeers,
  writeCertificateFiles,
  type XmppUser,
} from '@xmpp-federation/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type BounceEvent,
  createFederation,
  type Federation,
  ReconfigureError,
  type SessionEvent,
  xml,
} from '../../src/index.js'
import { nextStanza } from '../fixtures.js'

// Reloading c.test (and e.test) while it federates with a real Prosody (a.test, real users)
// and with d.test, a second federation of ours, all over real TLS from one test CA.
const PROSODY_IP = '127.0.0.203'
const OUR = { host: '127.0.0.204', port: 5269 }
const OUR_TLS = { host: '127.0.0.204', port: 5270, directTls: true }
const D = { host: '127.0.0.205', port: 5269 }

function accepts(address: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(address.port, address.host)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** The serial of the certificate a new direct-TLS connection to our listener is shown (verified against the CA). */
function presentedSerial(caFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ca = readFileSync(caFile, 'utf8')
    const socket = tlsConnect(
      { ...OUR_TLS, servername: 'c.test', ca, ALPNProtocols: ['xmpp-server'] },
      () => {
        const serial = socket.getPeerCertificate().serialNumber
        socket.destroy()
        resolve(serial)
      },
    )
    socket.once('error', reject)
  })
}

describe('reconfigure() against Prosody', () => {
  let scenario: CertScenario
  let alice: XmppUser
  let certFiles: { cert: string; key: string; ca: string }
  let federation: Federation | undefined
  let d: Federation | undefined

  /** Our certificate for c.test and e.test, (re)issued in place: same paths, new serial. */
  async function issueOurCertificate(): Promise<string> {
    const issued = await scenario.ca.issue({ dnsNames: ['c.test', 'e.test'] })
    const files = await writeCertificateFiles(scenario.workdir.path, 'ours', issued)
    certFiles = {
      cert: files.cert,
      key: files.key,
      ca: certFiles?.ca ?? (await scenario.filesFor('c.test')).ca,
    }
    return new X509Certificate(issued.certPem).serialNumber
  }

  function config(extra: Partial<FederationConfigInput> = {}): FederationConfigInput {
    return {
      domains: ['c.test', 'e.test'],
      tls: { cert: certFiles.cert, key: certFiles.key, ca: [certFiles.ca], systemCa: false },
      listen: [OUR, OUR_TLS],
      routes: { 'a.test': [{ host: PROSODY_IP }], 'd.test': [D] },
      ...extra,
    }
  }

  async function start(extra: Partial<FederationConfigInput> = {}) {
    federation = createFederation({ config: config(extra), logger: false })
    await federation.start()
    const dFiles = await scenario.filesFor('d.test')
    d = createFederation({
      logger: false,
      config: {
        domains: ['d.test'],
        tls: { cert: dFiles.cert, key: dFiles.key, ca: [dFiles.ca], systemCa: false },
        listen: [D],
        routes: { 'c.test': [OUR], 'e.test': [OUR] },
      },
    })
    await d.start()
    return { c: federation, d }
  }

  async function toAlice(from: string, id: string) {
    await federation!.send(
      xml('message', { from, to: 'alice@a.test', id, type: 'chat' }, xml('body', {}, id)),
    )
    return alice.nextStanza((s) => s.attrs.id === id, 15_000)
  }

  async function toD(id: string) {
    const arrived = nextStanza(d!, (s) => s.attrs.id === id, 10_000)
    await federation!.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test', id }))
    return arrived
  }

  beforeAll(async () => {
    scenario = await startCertScenario({
      domain: 'a.test',
      ip: PROSODY_IP,
      ours: { 'c.test': OUR.host, 'e.test': OUR.host },
      modules: ['version'],
    })
    await issueOurCertificate()
    alice = await scenario.login('alice')
  }, 60_000)
  afterEach(async () => {
    await federation?.stop()
    await d?.stop()
    federation = undefined
    d = undefined
  })
  afterAll(async () => {
    await scenario?.cleanup()
    await stopAllPeers()
  })

  it('deny a.test while its stream is up: closed with policy-violation, queued stanzas bounce, d.test untouched; allow again delivers', async () => {
    const { c } = await start()
    await toAlice('bot@c.test', 'before')
    await toD('d-before')
    const sessions: SessionEvent[] = []
    c.on('session', (s) => sessions.push(s))
    const bounces: BounceEvent[] = []
    c.on('bounce', (b) => bounces.push(b))

    // e.test has no stream to a.test yet: this stanza waits in its queue when the reload comes.
    const queued = c
      .send(xml('message', { from: 'bot@e.test', to: 'alice@a.test', id: 'queued' }, xml('body', {}, 'q')))
      .then(
        () => 'delivered',
        (error: Error) => error,
      )
    const report = await c.reconfigure(config({ policy: { mode: 'denylist', deny: ['a.test'] } }))
    expect(report.closed).toContainEqual({
      direction: 'outbound',
      local: 'c.test',
      remote: 'a.test',
      condition: 'policy-violation',
      reason: expect.stringMatching(/a\.test/),
    })
    expect(report.closed.some((closed) => closed.remote === 'd.test')).toBe(false)
    expect(report.bounced).toBe(1)
    expect(await queued).toMatchObject({ condition: 'policy-violation' })
    const bounce = bounces.find((b) => b.stanza.attrs.id === 'queued')
    expect(bounce?.returned?.attrs).toMatchObject({ to: 'bot@e.test', from: 'alice@a.test', type: 'error' })
    expect(bounce?.returned?.getChild('error')?.getChild('policy-violation')).toBeDefined()
    expect(sessions).toContainEqual(expect.objectContaining({ remote: 'a.test', state: 'closed' }))

    // alice writing to us now gets an error back from her own server: we refuse a.test.
    await alice.send(
      xml('message', { to: 'bot@c.test', id: 'refused', type: 'chat' }, xml('body', {}, 'hi?')),
    )
    const error = await alice.nextStanza((s) => s.attrs.id === 'refused' && s.attrs.type === 'error', 20_000)
    expect(error.getChild('error')).toBeDefined()

    // d.test's stream was never touched and still carries stanzas.
    expect(sessions.filter((s) => s.remote === 'd.test')).toEqual([])
    await toD('d-after')

    await c.reconfigure(config())
    expect((await toAlice('bot@c.test', 'allowed-again')).getChildText('body')).toBe('allowed-again')
  }, 60_000)

  it('rotating our certificate in place: the live stream stays, new handshakes present the new one and Prosody accepts it', async () => {
    const { c } = await start()
    const oldSerial = await presentedSerial(certFiles.ca)
    await toAlice('bot@c.test', 'old-cert')
    const sessions: SessionEvent[] = []
    c.on('session', (s) => sessions.push(s))

    const newSerial = await issueOurCertificate()
    expect(newSerial).not.toBe(oldSerial)
    const report = await c.reconfigure(config())
    expect(report.unchanged).toBe(false)
    expect(report.changed.map((change) => change.path)).toContain('tls.cert#content')
    expect(report.closed).toEqual([])

    expect(await presentedSerial(certFiles.ca)).toBe(newSerial)
    // The old stream still delivers; a new stream (e.test's) authenticates with the new certificate.
    await toAlice('bot@c.test', 'same-stream')
    expect((await toAlice('bot@e.test', 'new-stream')).getChildText('body')).toBe('new-stream')
    expect(sessions.filter((s) => s.state === 'closed' || s.state === 'failed')).toEqual([])
    expect(sessions).toContainEqual(
      expect.objectContaining({
        direction: 'outbound',
        local: 'e.test',
        remote: 'a.test',
        state: 'established',
        mechanism: 'EXTERNAL',
      }),
    )
  }, 60_000)

  it('disable federation: listeners refuse, sends bounce with service-unavailable; enable: listeners back, alice reaches us', async () => {
    const { c } = await start()
    await toAlice('bot@c.test', 'on')
    const report = await c.reconfigure(config({ enabled: false }))
    expect(report.closed).toContainEqual(
      expect.objectContaining({ remote: 'a.test', condition: 'system-shutdown' }),
    )
    expect(await accepts(OUR)).toBe(false)
    const bounces: BounceEvent[] = []
    c.on('bounce', (b) => bounces.push(b))
    await expect(
      c.send(xml('message', { from: 'bot@c.test', to: 'alice@a.test', id: 'off' })),
    ).rejects.toMatchObject({ condition: 'service-unavailable' })
    expect(bounces).toEqual([
      expect.objectContaining({ condition: 'service-unavailable', direction: 'outbound' }),
    ])

    await c.reconfigure(config())
    expect(await accepts(OUR)).toBe(true)
    const atHost = nextStanza(c, (s) => s.attrs.id === 'back', 20_000)
    await alice.send(xml('message', { to: 'bot@c.test', id: 'back', type: 'chat' }, xml('body', {}, 'back')))
    expect((await atHost).getChildText('body')).toBe('back')
  }, 60_000)

  it('an invalid configuration is refused whole, each problem named, and the old one keeps serving', async () => {
    const { c } = await start()
    const bad = {
      ...config({ policy: { mode: 'denylist', deny: ['a.test'] } }),
      tls: { cert: '/nonexistent/ours.crt', key: certFiles.key, ca: [certFiles.ca], systemCa: false },
      federate: true,
    }
    const error = await c.reconfigure(bad as FederationConfigInput).catch((e: Error) => e)
    expect(error).toBeInstanceOf(ReconfigureError)
    expect((error as ReconfigureError).issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'UNKNOWN_KEY', path: expect.stringMatching(/federate/) }),
        expect.objectContaining({ code: 'MISSING_FILE', path: 'tls.cert' }),
      ]),
    )
    expect((await toAlice('bot@c.test', 'old-config')).getChildText('body')).toBe('old-config')
  }, 60_000)

  it('adds and removes a local domain and a listener', async () => {
    const { c } = await start({ domains: ['c.test'], listen: [OUR] })
    expect(await accepts(OUR_TLS)).toBe(false)
    await c.reconfigure(config())
    expect(await accepts(OUR_TLS)).toBe(true)
    // e.test is ours now: alice's message to it comes in over a stream Prosody opens to e.test.
    const atHost = nextStanza(c, (s) => s.attrs.id === 'to-e', 20_000)
    await alice.send(xml('message', { to: 'bot@e.test', id: 'to-e', type: 'chat' }, xml('body', {}, 'e')))
    expect((await atHost).attrs.to).toBe('bot@e.test')

    const report = await c.reconfigure(config({ domains: ['c.test'], listen: [OUR] }))
    expect(report.closed).toContainEqual(
      expect.objectContaining({
        direction: 'inbound',
        local: 'e.test',
        remote: 'a.test',
        condition: 'host-unknown',
      }),
    )
    expect(await accepts(OUR_TLS)).toBe(false)
    expect((await toAlice('bot@c.test', 'c-still')).getChildText('body')).toBe('c-still')
  }, 60_000)
})
