import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runParser } from '../../fuzz/parser-target.js'
import { loadRegressions, regressionChunks } from '../../fuzz/regressions.js'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, startSessionHarness } from '../../fuzz/session-target.js'

// Every crash or hang the fuzzers found, replayed byte for byte (fuzz/regressions/*.json).
describe('fuzz regressions', () => {
  let harness: SessionHarness
  beforeAll(async () => {
    harness = await startSessionHarness()
  })
  afterAll(async () => {
    await harness?.close()
  })

  for (const regression of loadRegressions()) {
    it(`${regression.name} (${regression.target})`, async ({ task }) => {
      const chunks = regressionChunks(regression)
      if (regression.target === 'parser') {
        expect(runParser(chunks).problems).toEqual([])
        return
      }
      const outcome = await harness.run(regression.target, chunks, regression.hold)
      expect(outcome.problems).toEqual([])
      report(task, { outcome: `${outcome.exit}, ${outcome.stanzas} stanzas delivered` })
    })
  }
})
