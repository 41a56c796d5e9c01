import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clearSeeds, loadCorpus, secureSeeds, starttlsSeeds } from '../../fuzz/corpus.js'
import { applyInput, chunksOf, fuzzInput } from '../../fuzz/mutate.js'
import { fuzzSeed, peakRssMiB, report } from '../../fuzz/report.js'
import { type SessionHarness, type SessionMode, startSessionHarness } from '../../fuzz/session-target.js'

// The short run of the session fuzzer: whole inbound sessions of the real stream code over TCP
// on 127.0.0.80, eight connections at a time. `pnpm fuzz --minutes N` runs the long one.
const BATCH = 8
const RUNS: Record<SessionMode, number> = { clear: 640, starttls: 320, tls: 400 }

describe('session fuzzing', () => {
  let harness: SessionHarness
  const corpus = loadCorpus()
  const seedsFor = { clear: clearSeeds(corpus), starttls: starttlsSeeds(corpus), tls: secureSeeds(corpus) }

  beforeAll(async () => {
    harness = await startSessionHarness()
  })
  afterAll(async () => {
    await harness?.close()
  })

  for (const mode of ['clear', 'starttls', 'tls'] as const) {
    it(`${mode}: ${RUNS[mode]} mutated transcripts keep every session invariant`, async ({ task }) => {
      const seeds = seedsFor[mode]
      const seed = fuzzSeed()
      const exits = new Map<string, number>()
      let inputs = 0
      let stanzas = 0
      console.log(`[fuzz] session/${mode} seed=${seed} (FUZZ_SEED=${seed} replays this run)`)
      const one = fc.tuple(fuzzInput(seeds.length), fc.nat(31))
      const property = fc.asyncProperty(
        fc.array(one, { minLength: BATCH, maxLength: BATCH }),
        async (batch) => {
          const outcomes = await Promise.all(
            batch.map(([input, hold]) => {
              inputs++
              return harness.run(mode, chunksOf(applyInput(input, seeds), input.cuts), hold === 0)
            }),
          )
          for (const o of outcomes) {
            exits.set(o.exit, (exits.get(o.exit) ?? 0) + 1)
            stanzas += o.stanzas
          }
          expect(outcomes.flatMap((o) => o.problems)).toEqual([])
        },
      )
      await fc.assert(property, { seed, numRuns: RUNS[mode] / BATCH, interruptAfterTimeLimit: 40_000 })
      const counts = {
        seed,
        inputs,
        crashes: 0,
        hangs: 0,
        stanzasDelivered: stanzas,
        peakRssMiB: peakRssMiB(),
      }
      console.log(
        `[fuzz] session/${mode} ${JSON.stringify(counts)} ${JSON.stringify(Object.fromEntries(exits))}`,
      )
      report(task, {
        outcome: `${inputs} sessions, 0 crashes, 0 hangs`,
        counts: { ...counts, ...Object.fromEntries(exits) },
      })
    }, 60_000)
  }
})
