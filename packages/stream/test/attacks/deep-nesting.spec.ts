import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, type SessionMode, startSessionHarness } from '../../fuzz/session-target.js'
import { bytes, DIALBACK, expectStreamError, HEADER } from './attack.js'

// 10 000 nested elements: refused at depth 65 with policy-violation, no recursion, no stall.
describe('10k-deep nesting', () => {
  let harness: SessionHarness
  beforeAll(async () => {
    harness = await startSessionHarness()
  })
  afterAll(async () => {
    await harness?.close()
  })

  const deep = (n: number) =>
    `<message from='bea@b.test' to='bob@c.test'>${'<a>'.repeat(n)}${'</a>'.repeat(n)}</message>`
  for (const mode of ['clear', 'tls'] as SessionMode[]) {
    it(`${mode}: 10 000 levels after authentication end with policy-violation`, async ({ task }) => {
      const histogram = monitorEventLoopDelay({ resolution: 1 })
      histogram.enable()
      const outcome = await harness.run(mode, bytes(HEADER + DIALBACK + deep(10_000)), false)
      histogram.disable()
      expectStreamError(outcome, 'policy-violation')
      expect(outcome.received).toContain('nested deeper than 64')
      expect(histogram.max / 1e6).toBeLessThan(50)
      report(task, {
        outcome: `policy-violation; max event-loop delay ${(histogram.max / 1e6).toFixed(1)} ms`,
      })
    })

    it(`${mode}: 10 000 levels before authentication end with policy-violation`, async () => {
      expectStreamError(await harness.run(mode, bytes(HEADER + deep(10_000)), false), 'policy-violation')
    })
  }

  it('63 levels inside a stanza (64 with it) are delivered', async () => {
    const outcome = await harness.run('clear', bytes(HEADER + DIALBACK + deep(63)), false)
    expect(outcome.problems).toEqual([])
    expect(outcome.stanzas).toBe(1)
  })
})
