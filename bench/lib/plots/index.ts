import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { TopLevelSpec } from 'vega-lite'
import type { ScenarioResult } from '../report.js'
import { p1LatencySpec } from './p1-latency.js'
import { p2ReceivingSpec } from './p2-receiving.js'
import { p3LadderSpec } from './p3-ladder.js'
import { p4MemorySpec } from './p4-memory.js'
import { p5RoutingSpec } from './p5-routing.js'
import { renderSvg } from './render-svg.js'

/** What the plots need besides the results: P5's domain counts are options, not results. */
export interface PlotInputs {
  readonly results: readonly ScenarioResult[]
  readonly p5domains: readonly number[]
}

/** The plots a run can draw, by file name: each from one scenario's raw figures, when it ran. */
function plotSpecs({ results, p5domains }: PlotInputs): Record<string, TopLevelSpec | undefined> {
  const raw = (id: string) => results.find((r) => r.id === id)?.raw
  const has = (id: string) => results.some((r) => r.id === id)
  return {
    'p1-latency.svg': has('P1') ? p1LatencySpec(raw('P1')) : undefined,
    'p2-receiving.svg': has('P2') ? p2ReceivingSpec(raw('P2')) : undefined,
    'p3-ladder.svg': has('P3') ? p3LadderSpec(raw('P3')) : undefined,
    'p4-memory.svg': has('P4') ? p4MemorySpec(raw('P4')) : undefined,
    'p5-routing.svg': has('P5') ? p5RoutingSpec(raw('P5'), p5domains) : undefined,
  }
}

/** Renders every plot the results allow into `dir`; returns the files written. */
export async function writePlots(inputs: PlotInputs, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const written: string[] = []
  for (const [file, spec] of Object.entries(plotSpecs(inputs))) {
    if (!spec) continue
    const target = path.join(dir, file)
    await writeFile(target, await renderSvg(spec))
    written.push(target)
  }
  return written
}
