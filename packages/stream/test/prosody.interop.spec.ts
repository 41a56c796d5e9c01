import {
  type CertScenario,
  type IssuedCertificate,
  loginUser,
  SCENARIO_PASSWORD,
  startCertScenario,
  startProsody,
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
  type SecurityPolicy,
  saslExternal,
} from '../src/index.js'

// Our stream against a real Prosody 0.12 in certificate mode (s2s_secure_auth = true):
// a.test is Prosody on 127.0.0.2, c.test is this library on 127.0.0.4:5269.
const PROSODY_IP = '127.0.0.2'
const OUR_IP = '127.0.0.4'

describe('stream against Prosody (certificates, SASL EXTERNAL)', () => {
  let scenario: CertScenario
  let ours: IssuedCertificate
  let alice: XmppUser

  const context = (options: { cert?: IssuedCertificate; security?: SecurityPolicy } = {}) => {
    const cert = options.cert ?? ours
    return createStreamContext({
      localDomains: ['c.test'],
      auth: [saslExternal()],
      tls: createTlsIdentity({
        anchors: createTrustAnchors({ ca: [scenario.ca.certPem] }),
        credentials: { 'c.test': { cert: cert.chainPem, key: cert.keyPem } },
      }),
      security: options.security ?? { tls: 'required', requireValidCertificate: true },
    })
  }

  beforeAll(async () => {
    scenario = await startCertScenario({ domain: 'a.test', ip: PROSODY_IP, ours: { 'c.test': OUR_IP } })
    ours = await scenario.certificateFor('c.test')
    alice = await scenario.login('alice')
  })

  afterAll(async () => {
    await scenario?.cleanup()
    await stopAllPeers()
  })

  it('(a) our outbound stream authenticates with EXTERNAL and a message reaches alice', async () => {
    const stream = await connectStream({
      context: context(),
      localDomain: 'c.test',
      remoteDomain: 'a.test',
      host: PROSODY_IP,
      port: 5269,
    })
    expect(stream.authenticatedPairs).toEqual([{ local: 'c.test', remote: 'a.test', mechanism: 'EXTERNAL' }])
    expect(stream.tls?.peerCertificate?.validFor('a.test')).toBe(true)
    const message = new Element('message', {
      from: 'bot@c.test/x',
      to: 'alice@a.test',
      type: 'chat',
      id: 'm1',
    })
    stream.sendStanza(message.c('body').t('hello from c.test').root())
    const got = await alice.nextStanza((s) => s.is('message') && s.attrs.id === 'm1')
    expect(got.getChildText('body')).toBe('hello from c.test')
    expect(got.attrs.from).toBe('bot@c.test/x')
    const events = await scenario.prosody.authEvents()
    expect(events).toContainEqual(
      expect.objectContaining({
        mechanism: 'EXTERNAL',
        direction: 'incoming',
        local: 'a.test',
        remote: 'c.test',
      }),
    )
    await stream.close()
  })

  it('(b) alice writes to our domain: Prosody dials our listener, authenticates with EXTERNAL, we get the stanza', async () => {
    const sessions: InboundSession[] = []
    let deliver!: (stanza: Element) => void
    const stanza = new Promise<Element>((resolve) => (deliver = resolve))
    const listener = await listen(context(), { host: OUR_IP, port: 5269 }, (session) => {
      sessions.push(session)
      session.on('stanza', deliver)
    })
    await alice.send(
      new Element('message', { to: 'bob@c.test', type: 'chat', id: 'm2' }).c('body').t('hi bob').root(),
    )
    const received = await stanza
    expect(received.getChildText('body')).toBe('hi bob')
    expect(received.attrs.from).toMatch(/^alice@a\.test\//)
    const inbound = sessions.find((s) => s.authenticatedPairs.length > 0)!
    expect(inbound.authenticatedPairs).toEqual([{ local: 'c.test', remote: 'a.test', mechanism: 'EXTERNAL' }])
    expect(inbound.tls?.protocol).toMatch(/^TLSv1\.[23]$/)
    await scenario.prosody.waitForLog(
      /xf-s2s-auth mechanism=EXTERNAL direction=outgoing local=a\.test remote=c\.test/,
    )
    for (const s of sessions) await s.close()
    await new Promise<void>((r) => listener.close(() => r()))
  })

  it('(c) a certificate for another name is refused: no EXTERNAL, no delivery', async () => {
    const wrongName = await scenario.ca.issue({ dnsNames: ['not-c.test'] })
    const before = (await scenario.prosody.authEvents()).length
    const attempt = connectStream({
      context: context({ cert: wrongName }),
      localDomain: 'c.test',
      remoteDomain: 'a.test',
      host: PROSODY_IP,
      port: 5269,
    })
    // Prosody (s2s_secure_auth) closes the stream: the certificate does not name c.test.
    await expect(attempt).rejects.toMatchObject({
      name: 'StreamError',
      condition: 'not-authorized',
      origin: 'remote',
    })
    await expect(attempt).rejects.toThrow(/certificate/i)
    expect((await scenario.prosody.authEvents()).length).toBe(before)
  })

  it('(d) TLS required: a peer that omits STARTTLS gets not one stanza byte in clear', async () => {
    // Prosody b.test without TLS (mod_tls not loaded) tries to reach c.test.
    const { workdir, hosts } = scenario
    const plain = await startProsody({ workdir, hosts, domain: 'b.test', ip: '127.0.0.3', mode: 'plain' })
    await plain.register('carol', SCENARIO_PASSWORD)
    const carol = await loginUser({ jid: 'carol@b.test', password: SCENARIO_PASSWORD, ip: '127.0.0.3' })
    const sessions: InboundSession[] = []
    const stanzas: Element[] = []
    const server = await listen(context(), { host: OUR_IP, port: 5269 }, (session) => {
      sessions.push(session)
      session.on('stanza', (s) => stanzas.push(s))
    })
    await carol.send(
      new Element('message', { to: 'bob@c.test', type: 'chat', id: 'm3' }).c('body').t('in clear?').root(),
    )
    // Prosody gives up on c.test and bounces the message back to carol.
    const bounce = await carol.nextStanza((s) => s.attrs.id === 'm3' && s.attrs.type === 'error', 20_000)
    expect(bounce.getChild('error')).toBeDefined()
    expect(stanzas).toEqual([])
    expect(sessions.length).toBeGreaterThan(0)
    for (const s of sessions) {
      expect(s.tls).toBeUndefined()
      expect(s.authenticatedPairs).toEqual([])
      expect(s.stats.stanzasIn).toBe(0)
    }

    // And outbound: our stream to the TLS-less b.test stops after its header.
    const attempt = connectStream({
      context: context(),
      localDomain: 'c.test',
      remoteDomain: 'b.test',
      host: '127.0.0.3',
      port: 5269,
    })
    await expect(attempt).rejects.toMatchObject({ code: 'TLS_REQUIRED' })
    await carol.stop()
    await new Promise<void>((r) => server.close(() => r()))
    await plain.stop()
  }, 60_000)
})
