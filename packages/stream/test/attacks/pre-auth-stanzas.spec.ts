import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalAuth, peerHeader, STARTTLS } from '../../fuzz/hostile-peer.js'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, startSessionHarness } from '../../fuzz/session-target.js'
import { bytes, expectStreamError, HEADER, message } from './attack.js'

// Stanzas from a peer that has not authenticated: refused with not-authorized, never delivered,
// whether in clear, after TLS, after a refused SASL attempt, or pipelined behind <auth/>.
describe('stanzas before authentication', () => {
  let harness: SessionHarness
  beforeAll(async () => {
    harness = await startSessionHarness()
  })
  afterAll(async () => {
    await harness?.close()
  })

  it('in clear on a listener without TLS: not-authorized', async ({ task }) => {
    expectStreamError(await harness.run('clear', bytes(HEADER + message('m')), false), 'not-authorized')
    report(task, { outcome: 'not-authorized; 0 delivered' })
  })

  it('in clear on a listener that requires TLS: not-authorized, before any TLS', async () => {
    expectStreamError(await harness.run('starttls', bytes(HEADER + message('m')), false), 'not-authorized')
  })

  it('pipelined behind <starttls/> in clear: dropped, never parsed', async () => {
    const outcome = await harness.run('starttls', bytes(HEADER + STARTTLS + message('m')), false)
    expect(outcome.problems).toEqual([])
    expect(outcome.received).toMatch(/<proceed xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/>$/)
    expect(outcome.stanzas).toBe(0)
  })

  it('after TLS, before SASL: not-authorized', async () => {
    expectStreamError(await harness.run('tls', bytes(HEADER + message('m')), false), 'not-authorized')
  })

  it('after a refused SASL EXTERNAL (an identity other than the header): not-authorized', async () => {
    const outcome = await harness.run('tls', bytes(HEADER + externalAuth('x.test') + message('m')), false)
    expectStreamError(outcome, 'not-authorized')
    expect(outcome.received).toContain(
      '<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><invalid-authzid/></failure>',
    )
  })

  it('pipelined in the same write as <auth/>: dropped by the restart, never delivered', async () => {
    // No XML declaration on the new header: the harness would otherwise wait for <success/> first.
    const restart = peerHeader('b.test', 'c.test').replace("<?xml version='1.0'?>", '')
    const outcome = await harness.run(
      'tls',
      bytes(HEADER + externalAuth('b.test') + restart + message('m')),
      false,
    )
    expect(outcome.problems).toEqual([])
    expect(outcome.received).toContain('<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>')
    expect(outcome.stanzas).toBe(0)
  })

  it('with a dialback request for a domain we do not serve: refused, then not-authorized', async () => {
    const outcome = await harness.run(
      'clear',
      bytes(`${HEADER}<db:result from='b.test' to='elsewhere.test'>k</db:result>${message('m')}`),
      false,
    )
    expect(outcome.received).toContain('type="invalid"')
    expectStreamError(outcome, 'not-authorized')
  })
})
