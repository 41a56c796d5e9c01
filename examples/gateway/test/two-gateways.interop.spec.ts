import { loadConfigFile } from '@xmpp-federation/config'
import { createWorkdir, type Workdir } from '@xmpp-federation/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { GatewayApiError, GatewayClient } from '../src/api-client.js'
import { writeDemoDeployment } from '../src/demo-setup.js'
import { type Gateway, startGateway } from '../src/gateway.js'
import type { InboxItem } from '../src/inbox.js'
import { createLog } from '../src/log.js'

// Two gateways of this library federate with each other (c.test and d.test on
// their own loopback addresses, TLS required, SASL EXTERNAL), and every check
// goes through their HTTP APIs, as an application would.
const C_IP = '127.0.0.24'
const D_IP = '127.0.0.25'
const BOT = 'bot@c.test'
const EVE = 'eve@d.test'

describe('two gateways federating through their HTTP APIs', () => {
  let workdir: Workdir
  let gatewayC: Gateway
  let gatewayD: Gateway
  let c: GatewayClient
  let d: GatewayClient
  const logC: string[] = []

  beforeAll(async () => {
    workdir = await createWorkdir()
    const files = await writeDemoDeployment(
      workdir.path,
      [
        { domain: 'c.test', ip: C_IP, httpPort: 0 },
        { domain: 'd.test', ip: D_IP, httpPort: 0 },
      ],
      {
        // Port 1 on our own address refuses at once: a remote server that cannot be reached.
        routes: { 'closed.test': [{ host: C_IP, port: 1 }] },
        policy: { mode: 'denylist', deny: ['evil.test'] },
      },
    )
    gatewayC = await startGateway(await loadConfigFile(files['c.test']!), {
      http: { port: 0 },
      log: createLog({ write: (line) => logC.push(line) }),
    })
    gatewayD = await startGateway(await loadConfigFile(files['d.test']!), {
      http: { port: 0 },
      log: createLog({ write: () => {} }),
    })
    c = new GatewayClient(gatewayC.url)
    d = new GatewayClient(gatewayD.url)
  })

  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(`c.test log:\n${logC.join('\n')}`)))

  afterAll(async () => {
    await gatewayC?.stop()
    await gatewayD?.stop()
    await workdir?.cleanup()
  })

  it('answers /healthz while running', async () => {
    const res = await fetch(`${c.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('carries a message each way: 202 with an id, then in the other inbox', async () => {
    const sent = await c.sendMessage({ from: BOT, to: EVE, body: 'hello eve' })
    expect(sent.id).toMatch(/^[0-9a-f]{16}$/)
    const atD = await d.waitFor((i) => i.kind === 'message' && i.body === 'hello eve')
    expect(atD).toMatchObject({ kind: 'message', from: BOT, to: EVE, id: sent.id, type: 'chat' })

    await d.sendMessage({ from: EVE, to: `${BOT}/app`, body: 'hi bot', type: 'normal' })
    const atC = await c.waitFor((i) => i.kind === 'message' && i.body === 'hi bot')
    expect(atC).toMatchObject({ from: EVE, to: `${BOT}/app`, type: 'normal' })
    expect(await c.inbox({ user: BOT })).toContainEqual(atC)
  })

  it('subscribes both ways (subscribe, subscribed, available, probe) until both see each other', async () => {
    await d.presence({ from: EVE, action: 'available', status: 'reading' })
    // bot → eve
    await c.presence({ from: BOT, to: EVE, action: 'subscribe' })
    await d.waitFor(presenceFrom(BOT, 'subscribe'))
    expect((await d.presence({ from: EVE, to: BOT, action: 'approve' })).sent).toEqual([
      { to: BOT, type: 'subscribed' },
      { to: BOT, type: 'available' },
    ])
    await c.waitFor(presenceFrom(EVE, 'subscribed'))
    await c.waitFor((i) => i.kind === 'presence' && i.from === `${EVE}/gateway` && i.status === 'reading')
    // eve → bot
    await d.presence({ from: EVE, to: BOT, action: 'subscribe' })
    await c.waitFor(presenceFrom(EVE, 'subscribe'))
    await c.presence({ from: BOT, to: EVE, action: 'approve' })
    await d.waitFor(presenceFrom(BOT, 'subscribed'))

    expect((await c.roster(BOT)).contacts).toEqual([
      expect.objectContaining({
        jid: EVE,
        subscription: 'both',
        pendingIn: false,
        pendingOut: false,
        available: true,
      }),
    ])
    expect((await d.roster(EVE)).contacts).toEqual([
      expect.objectContaining({ jid: BOT, subscription: 'both', available: false }),
    ])

    // Coming online, bot probes the contacts it sees; d answers with eve's presence.
    const since = (await c.inbox()).at(-1)!.seq
    const online = await c.presence({ from: BOT, action: 'available', status: 'back' })
    expect(online.sent).toEqual([
      { to: EVE, type: 'available' },
      { to: EVE, type: 'probe' },
    ])
    const probe = await d.waitFor(presenceFrom(BOT, 'probe'))
    expect(probe.from).toBe(`${BOT}/gateway`)
    await c.waitFor((i) => i.kind === 'presence' && i.from === `${EVE}/gateway` && i.type === 'available', {
      since,
    })
    await d.waitFor((i) => i.kind === 'presence' && i.from === `${BOT}/gateway` && i.status === 'back')
    expect((await d.roster(EVE)).contacts[0]).toMatchObject({
      available: true,
      resources: [{ status: 'back' }],
    })
  })

  it('pings each way (XEP-0199)', async () => {
    expect(await c.ping('c.test', 'd.test')).toBeGreaterThan(0)
    expect(await d.ping('d.test', 'c.test')).toBeGreaterThan(0)
  })

  it('reports authenticated TLS streams in /api/status and in the log', async () => {
    const status = await c.status()
    expect(status.state).toBe('running')
    // c dialled d first and asked for XEP-0288: d's replies ride c's stream, d never dials c.
    expect(status.domains).toEqual([
      expect.objectContaining({
        direction: 'outbound',
        remote: 'd.test',
        state: 'established',
        authMechanism: 'EXTERNAL',
        tlsVersion: expect.stringMatching(/^TLSv1\.[23]$/),
        bidi: true,
      }),
    ])
    expect(status.domains[0]!.stanzasIn).toBeGreaterThan(0)
    const atD = (await d.status()).domains
    expect(atD).toHaveLength(2)
    expect(atD).toContainEqual(
      expect.objectContaining({
        direction: 'inbound',
        remote: 'c.test',
        bidi: true,
        authMechanism: 'EXTERNAL',
      }),
    )
    expect(atD).toContainEqual(
      expect.objectContaining({
        direction: 'outbound',
        remote: 'c.test',
        bidi: true,
        target: expect.stringMatching(/XEP-0288/),
      }),
    )
    expect(logC.join('\n')).toMatch(
      /session +outbound c\.test → d\.test established \(EXTERNAL, TLSv1\.[23], /,
    )
    expect(logC.join('\n')).toMatch(/message +out bot@c\.test → eve@d\.test "hello eve"/)
  })

  it('serves the same status as Prometheus metrics on /metrics', async () => {
    const response = await fetch(`${c.url}/metrics`)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    expect(text).toMatch(/^# TYPE \S+ (gauge|counter)$/m)
    expect(text).toContain('remote="d.test"')
  })

  it('answers an unreachable server with 502 remote-server-not-found, and the bounce reaches the inbox', async () => {
    const failure = await c.sendMessage({ from: BOT, to: 'x@closed.test', body: 'anyone?' }).catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayApiError)
    expect(failure).toMatchObject({ status: 502, condition: 'remote-server-not-found' })
    const bounced = await c.waitFor((i) => i.kind === 'error' && i.from === 'x@closed.test')
    expect(bounced).toMatchObject({ stanza: 'message', to: BOT, condition: 'remote-server-not-found' })
    expect(logC.join('\n')).toMatch(
      /bounce +WARN out message bot@c\.test → x@closed\.test: remote-server-not-found/,
    )
  })

  it('reports presence to an unreachable server: 502 for one contact, the refusal in the inbox even without an error stanza', async () => {
    const failure = await c
      .presence({ from: BOT, to: 'x@closed.test', action: 'unsubscribe' })
      .catch((e) => e)
    expect(failure).toMatchObject({ status: 502, condition: 'remote-server-not-found' })
    // RFC 6121 forbids an error stanza for unsubscribe; the gateway records the refusal itself.
    const refused = await c.waitFor(
      (i) => i.kind === 'error' && i.stanza === 'presence' && i.from === 'x@closed.test',
    )
    expect(refused).toMatchObject({ to: BOT, condition: 'remote-server-not-found' })
  })

  it('answers a denied domain with 403 policy-violation and logs the decision', async () => {
    const failure = await c.sendMessage({ from: BOT, to: 'mallory@evil.test', body: 'hi' }).catch((e) => e)
    expect(failure).toMatchObject({ status: 403, condition: 'policy-violation' })
    expect(logC.join('\n')).toMatch(/policy +refused \(domain\) evil\.test: DENYLISTED/)
  })
})

function presenceFrom(from: string, type: string) {
  return (item: InboxItem) => item.kind === 'presence' && item.type === type && item.from.startsWith(from)
}
