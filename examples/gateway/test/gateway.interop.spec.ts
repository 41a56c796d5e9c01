import { writeFile } from 'node:fs/promises'
import { xml } from '@xmpp-federation/router'
import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  loginUser,
  type ProsodyPeer,
  startProsody,
  stopAllPeers,
  type Workdir,
  writeCertificateFiles,
  type XmppUser,
} from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { GatewayClient } from '../src/api-client.js'
import { type Gateway, startGateway } from '../src/gateway.js'
import type { InboxItem } from '../src/inbox.js'
import { createLog } from '../src/log.js'

// The gateway (c.test on 127.0.0.4:5269) against a real Prosody 0.12 (a.test on
// 127.0.0.2, certificate mode: TLS required, SASL EXTERNAL) and a real client,
// alice@a.test. The gateway is driven through its HTTP API only.
const PROSODY_IP = '127.0.0.2'
const GATEWAY_IP = '127.0.0.4'
const PASSWORD = 'interop-secret'
const BOT = 'bot@c.test'
const ALICE = 'alice@a.test'

describe('gateway against Prosody', () => {
  let workdir: Workdir
  let prosody: ProsodyPeer
  let alice: XmppUser
  let gateway: Gateway
  let api: GatewayClient
  const log: string[] = []

  beforeAll(async () => {
    workdir = await createWorkdir()
    const hosts = await createHostsFile(workdir.path)
    // Before Prosody starts: it reads the hosts file once (see @xmpp-federation/testing).
    await hosts.addHost('c.test', GATEWAY_IP)
    const ca = await createTestCA()
    const certs = await workdir.subdir('certs')
    const caFile = `${certs}/ca.crt`
    await writeFile(caFile, ca.certPem)
    const theirs = await writeCertificateFiles(certs, 'a.test', await ca.issue({ dnsNames: ['a.test'] }))
    const ours = await writeCertificateFiles(certs, 'c.test', await ca.issue({ dnsNames: ['c.test'] }))
    prosody = await startProsody({
      workdir,
      hosts,
      domain: 'a.test',
      ip: PROSODY_IP,
      mode: 'cert',
      certificate: { cert: theirs.cert, key: theirs.key },
      cafile: caFile,
      scramIterations: 1000,
    })
    await prosody.register('alice', PASSWORD)
    gateway = await startGateway(
      {
        domains: ['c.test'],
        listen: [{ host: GATEWAY_IP, port: 5269 }],
        tls: { cert: ours.cert, key: ours.key, ca: [caFile], systemCa: false },
        security: { tls: 'required', requireValidCertificate: true },
        routes: { 'a.test': [{ host: PROSODY_IP, port: 5269 }] },
      },
      { http: { host: '127.0.0.1', port: 0 }, log: createLog({ write: (line) => log.push(line) }) },
    )
    api = new GatewayClient(gateway.url)
    alice = await loginUser({ jid: ALICE, password: PASSWORD, ip: PROSODY_IP, ca: ca.certPem })
  })

  // The gateway's log tells what went over the wire when a test fails.
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(`gateway log:\n${log.join('\n')}`)))

  afterAll(async () => {
    await alice?.stop()
    await gateway?.stop()
    await stopAllPeers()
    await workdir?.cleanup()
  })

  it('delivers a message from the gateway to alice', async () => {
    const { id } = await api.sendMessage({ from: BOT, to: ALICE, body: 'hello alice, from the gateway' })
    const got = await alice.nextStanza((s) => s.is('message') && s.attrs.id === id)
    expect(got.attrs.from).toBe(BOT)
    expect(got.getChildText('body')).toBe('hello alice, from the gateway')
    expect(log.join('\n')).toMatch(
      /session +outbound c\.test → a\.test established \(EXTERNAL, TLSv1\.[23], /,
    )
  })

  it("delivers alice's message to the gateway's inbox", async () => {
    await alice.send(xml('message', { to: BOT, type: 'chat', id: 'from-alice' }, xml('body', {}, 'hi bot')))
    const got = await api.waitFor((i) => i.kind === 'message' && i.id === 'from-alice')
    expect(got).toMatchObject({ kind: 'message', from: alice.jid, to: BOT, type: 'chat', body: 'hi bot' })
    expect(log.join('\n')).toMatch(/session +inbound c\.test ← a\.test established \(EXTERNAL, TLSv1\.[23]\)/)
  })

  it('runs a presence subscription both ways (subscribe, subscribed, probe, available) until both are subscribed', async () => {
    // alice → bot: the gateway holds the request until the application approves it.
    await alice.send(xml('presence', { to: BOT, type: 'subscribe' }))
    await api.waitFor(presenceFrom(ALICE, 'subscribe'))
    expect((await api.roster(BOT)).contacts).toEqual([
      expect.objectContaining({ jid: ALICE, pendingIn: true }),
    ])
    expect((await api.presence({ from: BOT, action: 'available', status: 'serving' })).sent).toEqual([])
    const approval = await api.presence({ from: BOT, to: ALICE, action: 'approve' })
    expect(approval.sent).toEqual([
      { to: ALICE, type: 'subscribed' },
      { to: ALICE, type: 'available' },
    ])
    await alice.nextStanza(stanzaFrom(BOT, 'subscribed'))
    const botOnline = await alice.nextStanza(stanzaFrom(`${BOT}/gateway`, undefined))
    expect(botOnline.getChildText('status')).toBe('serving')

    // bot → alice: alice approves; Prosody then sends her presence and, since
    // she sees bot, probes bot, which the gateway answers with bot's presence.
    await api.presence({ from: BOT, to: ALICE, action: 'subscribe' })
    await alice.nextStanza(stanzaFrom(BOT, 'subscribe'))
    await alice.send(xml('presence', { to: BOT, type: 'subscribed' }))
    await api.waitFor(presenceFrom(ALICE, 'subscribed'))
    await api.waitFor((i) => i.kind === 'presence' && i.from === alice.jid && i.type === 'available')
    await api.waitFor(presenceFrom(ALICE, 'probe'))
    const probeAnswer = await alice.nextStanza(stanzaFrom(`${BOT}/gateway`, undefined))
    expect(probeAnswer.getChildText('status')).toBe('serving')

    const roster = await alice.request(
      xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })),
    )
    const item = roster
      .getChild('query', 'jabber:iq:roster')
      ?.getChildren('item')
      .find((i) => i.attrs.jid === BOT)
    expect(item?.attrs.subscription).toBe('both')
    expect((await api.roster(BOT)).contacts).toEqual([
      expect.objectContaining({ jid: ALICE, subscription: 'both', available: true }),
    ])
  })

  it("probes alice when bot comes online again, and Prosody answers with alice's presence", async () => {
    await api.presence({ from: BOT, action: 'unavailable' })
    await alice.nextStanza(stanzaFrom(`${BOT}/gateway`, 'unavailable'))
    const since = (await api.inbox()).at(-1)!.seq
    const online = await api.presence({ from: BOT, action: 'available', show: 'chat' })
    expect(online.sent).toEqual([
      { to: ALICE, type: 'available' },
      { to: ALICE, type: 'probe' },
    ])
    const answer = await api.waitFor(
      (i) => i.kind === 'presence' && i.from === alice.jid && i.type === 'available',
      { since },
    )
    expect(answer.to).toBe(`${BOT}/gateway`)
    const botBack = await alice.nextStanza(stanzaFrom(`${BOT}/gateway`, undefined))
    expect(botBack.getChildText('show')).toBe('chat')
  })

  it('pings a.test (XEP-0199) through the API', async () => {
    const rttMs = await api.ping('c.test', 'a.test')
    expect(rttMs).toBeGreaterThan(0)
    expect(rttMs).toBeLessThan(5_000)
  })

  it('reports both directions as EXTERNAL over TLS in /api/status', async () => {
    const { domains } = await api.status()
    for (const direction of ['outbound', 'inbound'] as const) {
      expect(domains).toContainEqual(
        expect.objectContaining({
          direction,
          remote: 'a.test',
          authMechanism: 'EXTERNAL',
          state: 'established',
        }),
      )
    }
    expect(await prosody.authEvents()).toContainEqual(
      expect.objectContaining({ mechanism: 'EXTERNAL', direction: 'incoming', remote: 'c.test' }),
    )
  })
})

function presenceFrom(from: string, type: string) {
  return (item: InboxItem) => item.kind === 'presence' && item.type === type && item.from.startsWith(from)
}

/** A presence stanza alice receives from `from` (exact address) of `type` (undefined: available). */
function stanzaFrom(from: string, type: string | undefined) {
  return (stanza: Element) =>
    stanza.is('presence') && stanza.attrs.from === from && stanza.attrs.type === type
}
