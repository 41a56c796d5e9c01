import type { FederationConfigInput } from '@xmpp-federation/config'
import type { DecisionEvent } from '@xmpp-federation/policy'
import { type CertScenario, startCertScenario, stopAllPeers, type XmppUser } from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFederation, type Federation, xml } from '../src/index.js'
import { nextStanza } from './fixtures.js'

// Domain policy through the router, against a real Prosody (a.test, with mod_version) and real users.
const PROSODY_IP = '127.0.0.22'
const OUR = { host: '127.0.0.24', port: 5269 }

describe('domain policy against Prosody', () => {
  let scenario: CertScenario
  let alice: XmppUser
  let federation: Federation | undefined
  const decisions: DecisionEvent[] = []

  async function start(
    extra: Partial<FederationConfigInput>,
    directory?: Parameters<typeof createFederation>[0]['directory'],
  ) {
    decisions.length = 0
    const files = await scenario.filesFor('c.test')
    federation = createFederation({
      config: {
        domains: ['c.test'],
        tls: { cert: files.cert, key: files.key, ca: [files.ca], systemCa: false },
        listen: [OUR],
        routes: { 'a.test': [{ host: PROSODY_IP }] },
        ...extra,
      },
      directory,
    })
    federation.on('decision', (d) => decisions.push(d))
    await federation.start()
    return federation
  }

  beforeAll(async () => {
    scenario = await startCertScenario({
      domain: 'a.test',
      ip: PROSODY_IP,
      ours: { 'c.test': OUR.host },
      modules: ['version'],
    })
    alice = await scenario.login('alice')
  })
  afterEach(async () => {
    await federation?.stop()
    federation = undefined
  })
  afterAll(async () => {
    await scenario?.cleanup()
    await stopAllPeers()
  })

  it('a denied domain: alice gets an error stanza back, the host an event', async () => {
    await start({ policy: { mode: 'denylist', deny: ['a.test'] } })
    const stanzas: Element[] = []
    federation!.on('stanza', (s) => stanzas.push(s))
    await alice.send(
      xml('message', { to: 'bot@c.test', id: 'deny1', type: 'chat' }, xml('body', {}, 'hello?')),
    )
    const error = await alice.nextStanza((s) => s.attrs.id === 'deny1' && s.attrs.type === 'error', 15_000)
    expect(error.getChild('error')).toBeDefined()
    expect(stanzas).toEqual([])
    expect(decisions).toContainEqual(
      expect.objectContaining({
        check: 'domain',
        remote: 'a.test',
        decision: expect.objectContaining({ code: 'DENYLISTED' }),
      }),
    )
    // Outbound too: the stanza comes back to our sender with policy-violation, no connection is made.
    await expect(
      federation!.send(xml('message', { from: 'bot@c.test', to: 'alice@a.test' })),
    ).rejects.toMatchObject({
      condition: 'policy-violation',
    })
  })

  it('a SIP-federated domain fails to start, naming the domain and the fix', async () => {
    const attempt = start({ policy: { sipFederatedDomains: ['a.test'] } })
    await expect(attempt).rejects.toThrow(/a\.test/)
    await expect(attempt).rejects.toThrow(/sipFederatedDomains/)
    federation = undefined
  })

  it('peer software rules: a rule matching Prosody refuses it, with policy-violation and an event', async () => {
    await start({
      policy: { peerRules: [{ product: 'Prosody', action: 'refuse', reason: 'no Prosody today' }] },
    })
    const sent = federation!.send(
      xml('message', { from: 'bot@c.test', to: 'alice@a.test', id: 'v1' }, xml('body', {}, 'x')),
    )
    await expect(sent).rejects.toMatchObject({ condition: 'policy-violation' })
    expect(decisions).toContainEqual(
      expect.objectContaining({
        check: 'peer-software',
        decision: expect.objectContaining({ code: 'PEER_SOFTWARE_REFUSED' }),
      }),
    )
  })

  it('peer software rules: a rule for older versions lets Prosody 0.12 through', async () => {
    await start({ policy: { peerRules: [{ product: 'Prosody', versionBelow: '0.11', action: 'refuse' }] } })
    await federation!.send(
      xml('message', { from: 'bot@c.test', to: 'alice@a.test', id: 'v2' }, xml('body', {}, 'welcome')),
    )
    expect((await alice.nextStanza((s) => s.attrs.id === 'v2')).getChildText('body')).toBe('welcome')
  })

  it('WebEx peers: a mediated chat-room invite comes back as feature-not-implemented', async () => {
    await start({ policy: { webexDomains: ['a.test'] } })
    const events: string[] = []
    federation!.on('bounce', (b) => events.push(`${b.direction} ${b.condition}`))
    await alice.send(
      xml(
        'message',
        { to: 'bot@c.test', id: 'inv1' },
        xml(
          'x',
          { xmlns: 'http://jabber.org/protocol/muc#user' },
          xml('invite', { to: 'bot@c.test' }, xml('reason', {}, 'join us')),
        ),
      ),
    )
    const error = await alice.nextStanza((s) => s.attrs.id === 'inv1' && s.attrs.type === 'error', 15_000)
    expect(error.getChild('error')?.getChild('feature-not-implemented')).toBeDefined()
    expect(error.getChild('error')?.getChildText('text')).toMatch(/WebEx/)
    expect(events).toContain('inbound feature-not-implemented')
  })

  it('email for federation: alice talks to a local user by email and never sees the internal JID', async () => {
    const directory = {
      emailForJid: (jid: string) => (jid === 'u4711@c.test' ? 'jane.doe@c.test' : undefined),
      jidForEmail: (email: string) => (email === 'jane.doe@c.test' ? 'u4711@c.test' : undefined),
    }
    const fed = await start({ emailForFederation: { enabled: true, unmapped: 'refuse' } }, directory)
    const atHost = nextStanza(fed, (s) => s.attrs.id === 'em1')
    await alice.send(
      xml('message', { to: 'jane.doe@c.test', id: 'em1', type: 'chat' }, xml('body', {}, 'hi Jane')),
    )
    const received = await atHost
    expect(received.attrs.to).toBe('u4711@c.test')
    await fed.send(
      xml(
        'message',
        { from: 'u4711@c.test/desk', to: 'alice@a.test', id: 'em2', type: 'chat' },
        xml('body', {}, 'hi Alice'),
      ),
    )
    const reply = await alice.nextStanza((s) => s.attrs.id === 'em2')
    expect(reply.attrs.from).toBe('jane.doe@c.test/desk')
    expect(reply.toString()).not.toContain('u4711')
    // A user without an email address is refused (unmapped: refuse), with an event.
    await expect(
      fed.send(xml('message', { from: 'nobody@c.test', to: 'alice@a.test' })),
    ).rejects.toMatchObject({
      condition: 'policy-violation',
    })
    expect(decisions.map((d) => d.decision.code)).toContain('NO_EMAIL_MAPPING')
  })
})
