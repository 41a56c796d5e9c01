import { parseArgs } from 'node:util'

export const SCENARIOS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] as const
export type ScenarioId = (typeof SCENARIOS)[number]

export interface Options {
  readonly quick: boolean
  /** Repetitions of each measurement; every figure is their median. */
  readonly runs: number
  /** P1: stanzas per throughput run. */
  readonly n: number
  /** P1: how long the latency phase sends at half the maximum rate. */
  readonly latencySeconds: number
  /** P1: which variants to run (baseline, stream, library). */
  readonly p1variants: readonly string[]
  /** P1/P5: stanzas in flight at most (flow control). */
  readonly window: number
  readonly only: ReadonlySet<ScenarioId>
  /** P2: messages per run. */
  readonly p2n: number
  /** P3: cold links per path. */
  readonly p3repeats: number
  /** P4: concurrent inbound stream counts, ascending. */
  readonly p4streams: readonly number[]
  /** P5: active remote domain counts; the first is the reference. */
  readonly p5domains: readonly number[]
  /** P5: stanzas per run. */
  readonly p5n: number
  /** Write V8 CPU profiles of the workers and print where their time goes. */
  readonly profile: boolean
  /** JSON file to write; default bench/results/bench-<time>.json. */
  readonly out: string | undefined
}

export const USAGE = `pnpm bench [options]

  --quick              small sizes (about 3 minutes instead of about 20)
  --only p1,p3         run some scenarios only (p1..p6)
  --runs R             repetitions per figure (default 5, quick 3)
  --n N                P1 stanzas per run (default 200000, quick 20000)
  --p1-variants a,b    P1 variants (default baseline,stream,library)
  --p2-n N             P2 messages per run (default 20000, quick 5000)
  --p4-streams a,b,c   P4 stream counts (default 1000,5000,10000)
  --p5-domains a,b,c   P5 remote domain counts (default 1,100,1000)
  --no-build           measure the packages' dist/ as it is (default: build it first)
  --profile            CPU profiles of the workers (bench/results/profiles/), with a summary
  --out FILE           where to write the JSON (default bench/results/bench-<time>.json)
`

export function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      n: { type: 'string' },
      'p1-variants': { type: 'string' },
      'p2-n': { type: 'string' },
      'p4-streams': { type: 'string' },
      'p5-domains': { type: 'string' },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return undefined
  const quick = values.quick ?? false
  const only = values.only ? values.only.split(',').map((s) => s.trim().toLowerCase()) : [...SCENARIOS]
  for (const id of only) if (!SCENARIOS.includes(id as ScenarioId)) throw new Error(`unknown scenario ${id}`)
  return {
    quick,
    runs: int(values.runs, quick ? 3 : 5),
    n: int(values.n, quick ? 20_000 : 200_000),
    latencySeconds: quick ? 1 : 3,
    window: 20_000,
    p1variants: values['p1-variants']?.split(',').map((v) => v.trim()) ?? ['baseline', 'stream', 'library'],
    only: new Set(only as ScenarioId[]),
    p2n: int(values['p2-n'], quick ? 5_000 : 20_000),
    // A cold link takes milliseconds: many repeats are cheap, and one noisy one moves a median of five.
    p3repeats: quick ? 5 : 15,
    p4streams: list(values['p4-streams'], quick ? [250, 500, 1000] : [1000, 5000, 10_000]),
    p5domains: list(values['p5-domains'], quick ? [1, 10, 100] : [1, 100, 1000]),
    p5n: quick ? 20_000 : 100_000,
    profile: values.profile ?? false,
    out: values.out,
  }
}

function int(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new Error(`expected a positive integer, got ${text}`)
  return value
}

function list(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback
  return text.split(',').map((part) => int(part.trim(), 0))
}
