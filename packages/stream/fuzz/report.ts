/**
 * What a reliability test reports beyond pass/fail: its counts and a one-line
 * outcome. Stored in the vitest task's meta, which the JSON reporter keeps, so
 * `pnpm reliability-report` can build docs/reliability.md from a test run.
 */
export interface ReliabilityMeta {
  readonly outcome?: string
  readonly counts?: Readonly<Record<string, number | string>>
}

export function report(task: { meta: object }, meta: ReliabilityMeta): void {
  const current = (task.meta as { reliability?: ReliabilityMeta }).reliability
  Object.assign(task.meta, {
    reliability: {
      outcome: meta.outcome ?? current?.outcome,
      counts: { ...current?.counts, ...meta.counts },
    },
  })
}

/** The seed of this run: FUZZ_SEED, or a fixed default so that CI runs are identical. */
export function fuzzSeed(fallback = 20_251_125): number {
  const value = Number(process.env.FUZZ_SEED)
  return Number.isSafeInteger(value) ? value : fallback
}

/** Peak resident memory of this process so far, in MiB. */
export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024)
}
