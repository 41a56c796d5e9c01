import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, type SessionMode, startSessionHarness } from '../../fuzz/session-target.js'
import { bytes, DIALBACK, expectStreamError, HEADER, message } from './attack.js'

// Control characters, unquoted attributes and stray end tags: not-well-formed (RFC 6120 §4.9.3.13),
// the stanzas before the bad one delivered, nothing after it.
describe('malformed XML', () => {
  let harness: SessionHarness
  beforeAll(async () => {
    harness = await startSessionHarness()
  })
  afterAll(async () => {
    await harness?.close()
  })

  const cases: [string, string][] = [
    ['NUL in character data', message('x', 'a\u0000b')],
    ['BEL in an attribute value', "<message to='bob@c.test\u0007'/>"],
    ['ESC in an element name', '<mess\u001bage/>'],
    ['a form feed between stanzas', '\u000c'],
    ['a character reference to U+0001', message('x', '&#1;')],
    ['a character reference to a surrogate', message('x', '&#xD800;')],
    ['U+FFFE in an element name', '<message\ufffe/>'],
    ['an unquoted attribute value', '<message to=bob@c.test/>'],
    ['an attribute without a value', '<message to/>'],
    ['a stray end tag at stream level', '</message>'],
    ['a mismatched end tag', "<message from='bea@b.test' to='bob@c.test'><body></message>"],
    ['a misspelt stream end tag', '</stream:streamx>'],
    ['an end tag for the stream in the wrong namespace prefix', '</streams:stream>'],
  ]
  for (const mode of ['clear', 'tls'] as SessionMode[]) {
    for (const [name, bad] of cases) {
      it(`${mode}: ${name} is not-well-formed; the stanza before it is delivered, the one after is not`, async ({
        task,
      }) => {
        const outcome = await harness.run(
          mode,
          bytes(HEADER + DIALBACK + message('before') + bad + message('after')),
          false,
        )
        expectStreamError(outcome, 'not-well-formed', 1)
        expect(outcome.delivered[0]).toContain('id="before"')
        report(task, { outcome: 'not-well-formed; 1 stanza before it delivered, 0 after' })
      })
    }
  }

  it('quotes a hostile name in the error text only as XML can carry it (U+FFFE becomes U+FFFD)', async () => {
    const outcome = await harness.run('clear', bytes(`${HEADER}${DIALBACK}<a\ufffe/>`), true)
    expectStreamError(outcome, 'not-well-formed')
    expect(outcome.received).toContain("invalid element name 'a\ufffd'")
  })
})
