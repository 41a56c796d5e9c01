import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, type SessionMode, startSessionHarness } from '../../fuzz/session-target.js'
import { bytes, DIALBACK, expectStreamError, HEADER } from './attack.js'

// The stanza byte budget (XEP-0478 advertises it): exactly the limit passes, one byte more ends
// the stream with policy-violation while the stanza is still arriving.
const LIMIT = 4096

describe('oversize stanzas', () => {
  let harness: SessionHarness
  beforeAll(async () => {
    harness = await startSessionHarness({ maxStanzaBytes: LIMIT })
  })
  afterAll(async () => {
    await harness?.close()
  })

  const stanzaOf = (bytes: number) => {
    const open = "<message from='bea@b.test' to='bob@c.test'><body>"
    const close = '</body></message>'
    return `${open}${'é'.repeat((bytes - open.length - close.length) / 2)}${close}`
  }

  for (const mode of ['clear', 'tls'] as SessionMode[]) {
    it(`${mode}: advertises ${LIMIT} bytes and delivers a stanza of exactly ${LIMIT} bytes`, async () => {
      const stanza = stanzaOf(LIMIT)
      expect(Buffer.byteLength(stanza)).toBe(LIMIT)
      const outcome = await harness.run(mode, bytes(HEADER + DIALBACK + stanza), false)
      expect(outcome.problems).toEqual([])
      expect(outcome.received).toContain(`<max-bytes>${LIMIT}</max-bytes>`)
      expect(outcome.stanzas).toBe(1)
    })

    it(`${mode}: ${LIMIT + 2} bytes end the stream with policy-violation, nothing delivered`, async ({
      task,
    }) => {
      const outcome = await harness.run(mode, bytes(HEADER + DIALBACK + stanzaOf(LIMIT + 2)), false)
      expectStreamError(outcome, 'policy-violation')
      expect(outcome.received).toContain(`stanza exceeds ${LIMIT} bytes`)
      report(task, { outcome: 'policy-violation; 0 delivered' })
    })
  }

  it('counts an oversize stanza before authentication too', async () => {
    expectStreamError(
      await harness.run('clear', bytes(HEADER + stanzaOf(LIMIT + 2)), false),
      'policy-violation',
    )
  })
})
