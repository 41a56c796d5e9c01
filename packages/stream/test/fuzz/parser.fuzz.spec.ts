import fc from 'fast-check'
import { expect, it } from 'vitest'
import { loadCorpus, parserSeeds } from '../../fuzz/corpus.js'
import { applyInput, chunksOf, fuzzInput } from '../../fuzz/mutate.js'
import { runParser } from '../../fuzz/parser-target.js'
import { fuzzSeed, peakRssMiB, report } from '../../fuzz/report.js'

// The short run of the parser fuzzer; `pnpm fuzz --minutes N` runs the long one.
const INPUTS = 6000
const HANG_MS = 1000

it(`parser: ${INPUTS} mutated s2s transcripts, cut at random, never break an invariant`, ({ task }) => {
  const seeds = parserSeeds(loadCorpus())
  const seed = fuzzSeed()
  const exits = new Map<string, number>()
  let inputs = 0
  let slowest = 0
  console.log(`[fuzz] parser seed=${seed} (FUZZ_SEED=${seed} replays this run)`)
  const property = fc.property(fuzzInput(seeds.length), (input) => {
    inputs++
    const outcome = runParser(chunksOf(applyInput(input, seeds), input.cuts))
    slowest = Math.max(slowest, outcome.slowestWriteMs)
    exits.set(outcome.condition ?? 'accepted', (exits.get(outcome.condition ?? 'accepted') ?? 0) + 1)
    expect(outcome.problems).toEqual([])
    expect(outcome.slowestWriteMs, 'a write took longer than the hang limit').toBeLessThan(HANG_MS)
  })
  fc.assert(property, { seed, numRuns: INPUTS, interruptAfterTimeLimit: 40_000 })
  const counts = {
    seed,
    inputs,
    crashes: 0,
    hangs: 0,
    slowestWriteMs: Math.ceil(slowest),
    peakRssMiB: peakRssMiB(),
  }
  console.log(`[fuzz] parser ${JSON.stringify(counts)} ${JSON.stringify(Object.fromEntries(exits))}`)
  report(task, {
    outcome: `${inputs} inputs, 0 crashes, 0 hangs`,
    counts: { ...counts, ...Object.fromEntries(exits) },
  })
}, 60_000)
