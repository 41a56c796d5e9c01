import { connect } from 'node:net'
import { type FederationConfigInput, parseConfig } from '@xmpp-federation/config'
import { createDomainPolicy } from '@xmpp-federation/policy'
import { writeCertificateFiles } from '@xmpp-federation/testing'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type BounceEvent,
  createFederation,
  type Federation,
  ReconfigureError,
  type ReconfigureReport,
  type SessionEvent,
  UsageError,
  xml,
} from '../../src/index.js'
import { configFor, createTestPki, nextStanza, startFederation, type TestPki } from '../fixtures.js'

// Two of our federations with real TLS: c.test reconfigured while d.test and e.test talk to it.
const C = { host: '127.0.0.200', port: 15269 }
const D = { host: '127.0.0.201', port: 15269 }
const E = { host: '127.0.0.202', port: 15269 }

/** Whether a TCP connection to the address is accepted. */
function accepts(address: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address.port, address.host)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('federation.reconfigure() between library peers', () => {
  let pki: TestPki
  let cFiles: { cert: string; key: string }
  const running: Federation[] = []

  beforeAll(async () => {
    pki = await createTestPki()
    // One certificate for both local domains a test may serve.
    cFiles = await writeCertificateFiles(
      pki.dir,
      'c.test',
      await pki.ca.issue({ dnsNames: ['c.test', 'c2.test'] }),
    )
  })
  afterEach(async () => {
    await Promise.all(running.splice(0).map((f) => f.stop()))
  })

  async function cConfig(extra: Partial<FederationConfigInput> = {}): Promise<FederationConfigInput> {
    return {
      domains: ['c.test'],
      tls: { cert: cFiles.cert, key: cFiles.key, ca: [pki.caFile], systemCa: false },
      listen: [C],
      routes: { 'd.test': [D], 'e.test': [E] },
      ...extra,
    }
  }

  async function trio() {
    const c = await startFederation({ config: await cConfig() })
    const d = await startFederation({
      config: await configFor(pki, 'd.test', { listen: [D], routes: { 'c.test': [C] } }),
    })
    const e = await startFederation({
      config: await configFor(pki, 'e.test', { listen: [E], routes: { 'c.test': [C] } }),
    })
    running.push(c, d, e)
    return { c, d, e }
  }

  async function deliver(from: Federation, fromJid: string, to: Federation, toJid: string, id: string) {
    const arrived = nextStanza(to, (s) => s.attrs.id === id)
    await from.send(xml('message', { from: fromJid, to: toJid, id }, xml('body', {}, id)))
    return arrived
  }

  it('an identical configuration is a no-op report, still emitted', async () => {
    const { c } = await trio()
    const reports: ReconfigureReport[] = []
    c.on('reconfigured', (r) => reports.push(r))
    const report = await c.reconfigure(await cConfig())
    expect(report).toMatchObject({ unchanged: true, changed: [], closed: [], bounced: 0 })
    expect(reports).toEqual([report])
  })

  it('deny d.test: its stream closes with policy-violation, queued stanzas bounce, e.test stays up; allow again reconnects', async () => {
    const { c, d, e } = await trio()
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'd1')
    await deliver(c, 'bot@c.test', e, 'eve@e.test', 'e1')
    const sessions: SessionEvent[] = []
    c.on('session', (s) => sessions.push(s))
    const bounces: BounceEvent[] = []
    c.on('bounce', (b) => bounces.push(b))
    const dClosed = new Promise<SessionEvent>((resolve) =>
      d.on('session', (s) => s.state === 'closed' && s.remote === 'c.test' && resolve(s)),
    )

    // A second local domain to d.test: its link is still connecting when the reload comes.
    await c.reconfigure(await cConfig({ domains: ['c.test', 'c2.test'] }))
    const queued = c
      .send(xml('message', { from: 'bot@c2.test', to: 'eve@d.test', id: 'q1' }, xml('body', {}, 'q')))
      .then(
        () => 'delivered',
        (error: Error) => error,
      )
    const report = await c.reconfigure(
      await cConfig({ domains: ['c.test', 'c2.test'], policy: { mode: 'denylist', deny: ['d.test'] } }),
    )
    expect(await queued).toMatchObject({ condition: 'policy-violation' })
    expect(report.changed.map((change) => change.path)).toEqual(['policy.deny', 'policy.mode'])
    expect(report.closed).toContainEqual(
      expect.objectContaining({ local: 'c.test', remote: 'd.test', condition: 'policy-violation' }),
    )
    expect(report.closed.some((closed) => closed.remote === 'e.test')).toBe(false)
    expect(report.bounced).toBe(1)
    const bounce = bounces.find((b) => b.stanza.attrs.id === 'q1')
    expect(bounce?.condition).toBe('policy-violation')
    expect(bounce?.returned?.attrs).toMatchObject({ to: 'bot@c2.test', type: 'error' })
    expect((await dClosed).error?.message).toMatch(/policy-violation/)
    // e.test's stream was not touched: no session event for it, and it still carries stanzas.
    expect(sessions.filter((s) => s.remote === 'e.test')).toEqual([])
    await deliver(c, 'bot@c.test', e, 'eve@e.test', 'e2')
    await expect(c.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test' }))).rejects.toMatchObject({
      condition: 'policy-violation',
    })

    await c.reconfigure(await cConfig({ domains: ['c.test', 'c2.test'] }))
    expect((await deliver(c, 'bot@c.test', d, 'eve@d.test', 'd2')).getChildText('body')).toBe('d2')
  })

  it('a removed local domain closes its streams with host-unknown; an added one is served', async () => {
    const { c, d } = await trio()
    await c.reconfigure(await cConfig({ domains: ['c.test', 'c2.test'] }))
    await deliver(c, 'bot@c2.test', d, 'eve@d.test', 'c2a')
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'c1a')
    const report = await c.reconfigure(await cConfig())
    expect(report.closed).toEqual([
      expect.objectContaining({ local: 'c2.test', remote: 'd.test', condition: 'host-unknown' }),
    ])
    await expect(c.send(xml('message', { from: 'bot@c2.test', to: 'eve@d.test' }))).rejects.toMatchObject({
      condition: 'not-allowed',
    })
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'c1b')
  })

  it('adds and removes a listener: the new port accepts, the removed one refuses', async () => {
    const { c } = await trio()
    const extra = { host: C.host, port: C.port + 1 }
    await c.reconfigure(await cConfig({ listen: [C, extra] }))
    expect(await accepts(extra)).toBe(true)
    const report = await c.reconfigure(await cConfig({ listen: [extra] }))
    expect(report.changed.map((change) => change.path)).toEqual(['listen'])
    expect(await accepts(C)).toBe(false)
    expect(await accepts(extra)).toBe(true)
  })

  it('a listener that cannot bind refuses the reload whole, rolling back the ones it bound', async () => {
    const { c } = await trio()
    const fresh = { host: C.host, port: C.port + 2 }
    // D's port is taken (by d.test), on an address we may bind: the reload must fail there.
    const attempt = c.reconfigure(
      await cConfig({ listen: [C, fresh, D], policy: { mode: 'denylist', deny: ['e.test'] } }),
    )
    await expect(attempt).rejects.toBeInstanceOf(ReconfigureError)
    await expect(attempt).rejects.toMatchObject({
      issues: [expect.objectContaining({ code: 'LISTEN_FAILED', path: 'listen[2]' })],
    })
    expect(await accepts(fresh)).toBe(false)
    // The old policy still serves.
    await expect(
      c.send(xml('message', { from: 'bot@c.test', to: 'eve@e.test', id: 'still' })),
    ).resolves.toBeUndefined()
  })

  it('disabled: listeners close, streams close with system-shutdown, sends bounce; enabled: back', async () => {
    const { c, d } = await trio()
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'before')
    const report = await c.reconfigure(await cConfig({ enabled: false }))
    expect(report.closed).toContainEqual(
      expect.objectContaining({ remote: 'd.test', condition: 'system-shutdown' }),
    )
    expect(await accepts(C)).toBe(false)
    const bounces: BounceEvent[] = []
    c.on('bounce', (b) => bounces.push(b))
    await expect(
      c.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'off' })),
    ).rejects.toMatchObject({
      condition: 'service-unavailable',
    })
    expect(bounces.map((b) => b.stanza.attrs.id)).toEqual(['off'])
    await c.reconfigure(await cConfig())
    expect(await accepts(C)).toBe(true)
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'after')
    // d.test can reach us again too, through the reopened listener.
    await deliver(d, 'eve@d.test', c, 'bot@c.test', 'back')
  })

  it('a stream that no longer meets its domain security closes with policy-violation; the next one meets it', async () => {
    const secret = { dialback: { secret: 'reconfigure-spec-secret' } }
    const c = await startFederation({
      config: await cConfig({ ...secret, security: { saslExternal: { inbound: true, outbound: false } } }),
    })
    const d = await startFederation({
      config: await configFor(pki, 'd.test', { listen: [D], routes: { 'c.test': [C] } }),
    })
    running.push(c, d)
    const established: SessionEvent[] = []
    c.on('session', (s) => s.state === 'established' && s.direction === 'outbound' && established.push(s))
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'by-dialback')
    expect(established.map((s) => s.mechanism)).toEqual(['dialback'])

    const report = await c.reconfigure(
      await cConfig({ ...secret, policy: { domains: { 'd.test': { dialback: false } } } }),
    )
    expect(report.closed).toEqual([
      expect.objectContaining({
        local: 'c.test',
        remote: 'd.test',
        condition: 'policy-violation',
        reason: expect.stringMatching(/dialback/),
      }),
    ])
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'by-certificate')
    expect(established.map((s) => s.mechanism)).toEqual(['dialback', 'EXTERNAL'])
  })

  it('a peer software rule added by a reload closes the streams of peers whose answer it refuses', async () => {
    // A rule that refuses nobody still makes c ask d what it runs (XEP-0092), and remember it.
    const asking = { policy: { peerRules: [{ product: 'Nothing Real', action: 'refuse' as const }] } }
    const c = await startFederation({ config: await cConfig(asking) })
    const d = await startFederation({
      config: await configFor(pki, 'd.test', { listen: [D], routes: { 'c.test': [C] } }),
    })
    running.push(c, d)
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'asked')
    const report = await c.reconfigure(
      await cConfig({
        policy: { peerRules: [{ product: 'xmpp-federation', action: 'refuse', reason: 'not today' }] },
      }),
    )
    expect(report.closed).toEqual([
      expect.objectContaining({
        remote: 'd.test',
        condition: 'policy-violation',
        reason: expect.stringMatching(/not today/),
      }),
    ])
    await expect(c.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test' }))).rejects.toMatchObject({
      condition: 'policy-violation',
    })
  })

  it("a host's own policy stays across reloads, and the report says so", async () => {
    const policy = createDomainPolicy(parseConfig(await cConfig()))
    const c = await startFederation({ config: await cConfig(), policy })
    const d = await startFederation({
      config: await configFor(pki, 'd.test', { listen: [D], routes: { 'c.test': [C] } }),
    })
    running.push(c, d)
    const report = await c.reconfigure(await cConfig({ policy: { mode: 'denylist', deny: ['d.test'] } }))
    expect(report.notes).toEqual([expect.stringMatching(/options\.policy/)])
    expect(report.closed).toEqual([])
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'host-policy-allows')
  })

  it('before start() a reload only replaces the configuration start() will use; after stop() it is a usage error', async () => {
    const c = createFederation({ config: await cConfig(), logger: false })
    const moved = { host: C.host, port: C.port + 3 }
    const report = await c.reconfigure(await cConfig({ listen: [moved] }))
    expect(report.changed.map((change) => change.path)).toEqual(['listen'])
    expect(await accepts(moved)).toBe(false)
    await c.start()
    expect(await accepts(moved)).toBe(true)
    expect(await accepts(C)).toBe(false)
    await c.stop()
    await expect(c.reconfigure(await cConfig())).rejects.toBeInstanceOf(UsageError)
  })

  it('an invalid configuration is refused whole, naming each problem; the old one keeps serving', async () => {
    const { c, d } = await trio()
    const config = await cConfig({ policy: { mode: 'denylist', deny: ['d.test'] } })
    const bad = { ...config, tls: { ...config.tls, cert: '/nonexistent/c.crt' }, colour: 'blue' }
    const attempt = c.reconfigure(bad as FederationConfigInput)
    await expect(attempt).rejects.toBeInstanceOf(ReconfigureError)
    const error = (await attempt.catch((e: ReconfigureError) => e)) as ReconfigureError
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'UNKNOWN_KEY' }),
        expect.objectContaining({ code: 'MISSING_FILE', path: 'tls.cert' }),
      ]),
    )
    expect(error.message).toMatch(/colour/)
    expect(error.message).toMatch(/nonexistent/)
    await deliver(c, 'bot@c.test', d, 'eve@d.test', 'old-still-serves')
  })
})
