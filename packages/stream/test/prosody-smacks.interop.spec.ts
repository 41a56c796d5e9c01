import {
  type CertScenario,
  type IssuedCertificate,
  startCertScenario,
  stopAllPeers,
  type XmppUser,
} from '@xmpp-federation/testing'
import { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  type InboundSession,
  listen,
  saslExternal,
} from '../src/index.js'

// XEP-0198 on s2s with Prosody 0.12's mod_smacks (smacks_enabled_s2s defaults to true).
const PROSODY_IP = '127.0.0.32'
const OUR_IP = '127.0.0.34'

describe('stream management with Prosody', () => {
  let scenario: CertScenario
  let ours: IssuedCertificate
  let alice: XmppUser

  const context = () =>
    createStreamContext({
      localDomains: ['c.test'],
      auth: [saslExternal()],
      tls: createTlsIdentity({
        anchors: createTrustAnchors({ ca: [scenario.ca.certPem] }),
        credentials: { 'c.test': { cert: ours.chainPem, key: ours.keyPem } },
      }),
    })

  beforeAll(async () => {
    scenario = await startCertScenario({
      domain: 'a.test',
      ip: PROSODY_IP,
      ours: { 'c.test': OUR_IP },
      modules: ['smacks'],
    })
    ours = await scenario.certificateFor('c.test')
    alice = await scenario.login('alice')
  })
  afterAll(async () => {
    await scenario?.cleanup()
    await stopAllPeers()
  })

  it('outbound: enabled after EXTERNAL, every message acknowledged by Prosody and delivered', async () => {
    const stream = await connectStream({
      context: context(),
      localDomain: 'c.test',
      remoteDomain: 'a.test',
      host: PROSODY_IP,
      port: 5269,
    })
    expect(stream.sm?.enabled).toBe(true)
    let acked = 0
    stream.on('acked', (count) => {
      acked += count
    })
    for (let i = 0; i < 30; i++) {
      stream.sendStanza(
        new Element('message', { from: 'bot@c.test', to: 'alice@a.test', id: `sm${i}` })
          .c('body')
          .t(`${i}`)
          .root(),
      )
    }
    await alice.nextStanza((s) => s.attrs.id === 'sm29')
    await expect.poll(() => acked, { timeout: 5000 }).toBe(30)
    expect(stream.unacknowledged).toEqual([])
    await stream.close()
  })

  it('inbound: Prosody enables it on its stream to us and we answer its ack requests', async () => {
    const sessions: InboundSession[] = []
    const server = await listen(context(), { host: OUR_IP, port: 5269 }, (s) => sessions.push(s))
    const got = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (sessions.some((s) => s.stats.stanzasIn > 0)) {
          clearInterval(check)
          resolve()
        }
      }, 20)
    })
    await alice.send(new Element('message', { to: 'bob@c.test', id: 'in1' }).c('body').t('hi').root())
    await got
    const inbound = sessions.find((s) => s.stats.stanzasIn > 0)!
    // Prosody flushes its queued stanza first and enables right after (h counts from <enable/>).
    await expect.poll(() => inbound.sm?.enabled, { timeout: 3000 }).toBe(true)
    const before = inbound.sm!.handled
    await alice.send(new Element('message', { to: 'bob@c.test', id: 'in2' }).c('body').t('again').root())
    await expect.poll(() => inbound.sm?.handled, { timeout: 3000 }).toBe(before + 1)
    for (const s of sessions) await s.close()
    await new Promise<void>((r) => server.close(() => r()))
  })
})
