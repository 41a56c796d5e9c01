import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalAuth, peerHeader } from '../../fuzz/hostile-peer.js'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, type SessionMode, startSessionHarness } from '../../fuzz/session-target.js'
import { bytes, DIALBACK, expectStreamError, HEADER, message } from './attack.js'

// Nobody speaks for a domain they have not proven. The harness serves c.test and d.test; the
// peer authenticates b.test -> c.test (dialback in clear, SASL EXTERNAL inside TLS).
const stanza = (from: string, to: string) =>
  `<message from='${from}' to='${to}' id='s'><body>spoof</body></message>`

describe('from and to checks on an authenticated stream', () => {
  let harness: SessionHarness
  beforeAll(async () => {
    harness = await startSessionHarness()
  })
  afterAll(async () => {
    await harness?.close()
  })

  const auth: Record<SessionMode, string> = {
    clear: HEADER + DIALBACK,
    starttls: '',
    tls: HEADER + externalAuth('b.test') + peerHeader('b.test', 'c.test'),
  }
  const cases: [string, string, string][] = [
    ['from a domain never authenticated', stanza('mallory@evil.test', 'bob@c.test'), 'invalid-from'],
    ['from a subdomain of the authenticated one', stanza('m@x.b.test', 'bob@c.test'), 'invalid-from'],
    [
      'to our other domain (a pair never authorized: piggybacking)',
      stanza('bea@b.test', 'dan@d.test'),
      'invalid-from',
    ],
    ['from our own domain', stanza('bob@c.test', 'bob@c.test'), 'invalid-from'],
    ['to a domain we do not serve', stanza('bea@b.test', 'x@other.test'), 'host-unknown'],
    ['without a from', "<message to='bob@c.test'/>", 'improper-addressing'],
    ['from a@b@c', stanza('a@b@c', 'bob@c.test'), 'improper-addressing'],
  ]
  for (const mode of ['clear', 'tls'] as SessionMode[]) {
    for (const [name, bad, condition] of cases) {
      it(`${mode}: a stanza ${name} ends the stream with ${condition}; none behind it is delivered`, async ({
        task,
      }) => {
        const outcome = await harness.run(
          mode,
          bytes(auth[mode] + message('ok1') + bad + message('ok2')),
          false,
        )
        expectStreamError(outcome, condition, 1)
        expect(outcome.delivered[0]).toContain('id="ok1"')
        report(task, { outcome: `${condition}; 1 legitimate stanza before it delivered, 0 after` })
      })
    }
  }

  it('dialback piggybacking: a second pair works only once it is itself authenticated', async () => {
    const second = "<db:result from='a.test' to='d.test'>k</db:result>"
    const outcome = await harness.run(
      'clear',
      bytes(
        HEADER + DIALBACK + stanza('bea@b.test', 'bob@c.test') + second + stanza('al@a.test', 'dan@d.test'),
      ),
      false,
    )
    expect(outcome.problems).toEqual([])
    expect(outcome.stanzas).toBe(2)
    expect(outcome.authenticated).toBe(2)
  })

  it('SASL EXTERNAL cannot add a second domain to a stream', async () => {
    const outcome = await harness.run(
      'tls',
      bytes(auth.tls + externalAuth('a.test') + stanza('al@a.test', 'bob@c.test')),
      false,
    )
    expectStreamError(outcome, 'invalid-from')
    expect(outcome.received).toMatch(
      /<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><[a-z-]+\/><\/failure>/,
    )
    expect(outcome.authenticated).toBe(1)
  })
})
