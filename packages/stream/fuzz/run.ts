/**
 * The long fuzz run: `pnpm fuzz --minutes N [--seed S] [--targets parser,clear,starttls,tls] [--record]`.
 *
 * Cycles through the targets in slices (a fresh seed per slice, derived from
 * the printed base seed), until the time is up. Every failing input is shrunk
 * by fast-check and written to fuzz/findings/ as a replayable regression file;
 * move it to fuzz/regressions/ with the fix. Prints inputs run, crashes, hangs
 * and peak memory; --record also writes the summary to fuzz/long-run.json,
 * which `pnpm reliability-report` quotes.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { clearSeeds, loadCorpus, parserSeeds, secureSeeds, starttlsSeeds } from './corpus.js'
import { applyInput, chunksOf, type FuzzInput, fuzzInput } from './mutate.js'
import { runParser } from './parser-target.js'
import { type FuzzTarget, saveRegression } from './regressions.js'
import { peakRssMiB } from './report.js'
import { type SessionHarness, startSessionHarness } from './session-target.js'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    seed: { type: 'string' },
    targets: { type: 'string', default: 'parser,clear,starttls,tls' },
    slice: { type: 'string', default: '20' },
    record: { type: 'boolean', default: false },
  },
})
const minutes = Number(values.minutes)
const baseSeed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed)
const targets = values.targets.split(',') as FuzzTarget[]
const sliceMs = Number(values.slice) * 1000
const HANG_MS = 1000
const BATCH = 8
const findingsDir = new URL('./findings/', import.meta.url)

interface Tally {
  inputs: number
  crashes: number
  hangs: number
  exits: Map<string, number>
}
const tallies = new Map<FuzzTarget, Tally>(
  targets.map((t) => [t, { inputs: 0, crashes: 0, hangs: 0, exits: new Map() }]),
)
const findings: string[] = []
let uncaught = 0
process.on('uncaughtException', (error) => {
  uncaught++
  console.error('[fuzz] UNCAUGHT', error)
})
process.on('unhandledRejection', (error) => {
  uncaught++
  console.error('[fuzz] UNHANDLED REJECTION', error)
})

const corpus = loadCorpus()
const seedsFor: Record<FuzzTarget, Uint8Array[]> = {
  parser: parserSeeds(corpus),
  clear: clearSeeds(corpus),
  starttls: starttlsSeeds(corpus),
  tls: secureSeeds(corpus),
}
let harness: SessionHarness | undefined
if (targets.some((t) => t !== 'parser')) harness = await startSessionHarness()

const count = (tally: Tally, exit: string) => tally.exits.set(exit, (tally.exits.get(exit) ?? 0) + 1)
const isHang = (problems: readonly string[]) => problems.some((p) => /hang|still open|took/.test(p))

/** One slice of one target; returns the shrunk failure, if any. */
async function slice(target: FuzzTarget, seed: number): Promise<string | undefined> {
  const seeds = seedsFor[target]
  const tally = tallies.get(target)!
  const settings = { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: sliceMs }
  let last: { problems: string[]; chunks: Uint8Array[]; hold: boolean } | undefined
  if (target === 'parser') {
    const details = fc.check(
      fc.property(fuzzInput(seeds.length), (input) => {
        tally.inputs++
        const chunks = chunksOf(applyInput(input, seeds), input.cuts)
        const outcome = runParser(chunks)
        count(tally, outcome.condition ?? 'accepted')
        const problems = [...outcome.problems]
        if (outcome.slowestWriteMs > HANG_MS)
          problems.push(`a write took ${Math.round(outcome.slowestWriteMs)} ms`)
        // Kept only when failing: fast-check's last failing run is the shrunk counterexample.
        if (problems.length > 0) last = { problems, chunks, hold: false }
        return problems.length === 0
      }),
      settings,
    )
    return details.failed ? record(target, seed, last!) : undefined
  }
  const one = fc.tuple(fuzzInput(seeds.length), fc.nat(31))
  const details = await fc.check(
    fc.asyncProperty(fc.array(one, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const runs = batch.map(([input, hold]: [FuzzInput, number]) => ({
        chunks: chunksOf(applyInput(input, seeds), input.cuts),
        hold: hold === 0,
      }))
      const outcomes = await Promise.all(runs.map((r) => harness!.run(target, r.chunks, r.hold)))
      tally.inputs += runs.length
      outcomes.forEach((o, i) => {
        count(tally, o.exit)
        if (o.problems.length > 0) last = { problems: [...o.problems], ...runs[i]! }
      })
      return outcomes.every((o) => o.problems.length === 0)
    }),
    settings,
  )
  return details.failed ? record(target, seed, last!) : undefined
}

function record(
  target: FuzzTarget,
  seed: number,
  failure: { problems: string[]; chunks: Uint8Array[]; hold: boolean },
) {
  const tally = tallies.get(target)!
  const hang = isHang(failure.problems)
  if (hang) tally.hangs++
  else tally.crashes++
  mkdirSync(findingsDir, { recursive: true })
  const name = `${target}-${hang ? 'hang' : 'crash'}-${seed}`
  const file = saveRegression(
    name,
    target,
    failure.chunks,
    failure.hold,
    failure.problems.join('\n'),
    findingsDir.pathname,
  )
  findings.push(file)
  return `${failure.problems.join('; ').slice(0, 300)} -> ${file}`
}

const started = Date.now()
const deadline = started + minutes * 60_000
console.log(
  `[fuzz] ${minutes} min, base seed ${baseSeed} (--seed ${baseSeed} replays it), targets ${targets.join(',')}`,
)
for (let n = 0; Date.now() < deadline; n++) {
  const target = targets[n % targets.length]!
  const seed = baseSeed + n
  const failure = await slice(target, seed)
  if (failure) console.log(`[fuzz] ${target} seed ${seed}: FAILED ${failure}`)
  const inputs = [...tallies.values()].reduce((sum, t) => sum + t.inputs, 0)
  const elapsed = Math.round((Date.now() - started) / 1000)
  console.log(
    `[fuzz] ${elapsed}s: ${inputs} inputs, ${findings.length} findings, peak RSS ${peakRssMiB()} MiB`,
  )
}
await harness?.close()

const summary = {
  date: new Date(started).toISOString(),
  minutes,
  baseSeed,
  node: process.version,
  inputs: [...tallies.values()].reduce((sum, t) => sum + t.inputs, 0),
  crashes: [...tallies.values()].reduce((sum, t) => sum + t.crashes, 0) + uncaught,
  hangs: [...tallies.values()].reduce((sum, t) => sum + t.hangs, 0),
  uncaught,
  peakRssMiB: peakRssMiB(),
  targets: Object.fromEntries(
    [...tallies].map(([t, tally]) => [
      t,
      {
        inputs: tally.inputs,
        crashes: tally.crashes,
        hangs: tally.hangs,
        exits: Object.fromEntries(tally.exits),
      },
    ]),
  ),
  findings,
}
console.log(JSON.stringify(summary, null, 2))
console.log(
  `[fuzz] done: ${summary.inputs} inputs run, ${summary.crashes} crashes, ${summary.hangs} hangs, peak memory ${summary.peakRssMiB} MiB RSS`,
)
if (values.record)
  writeFileSync(new URL('./long-run.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`)
process.exit(summary.crashes + summary.hangs > 0 ? 1 : 0)
