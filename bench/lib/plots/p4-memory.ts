import type { TopLevelSpec } from 'vega-lite'
import { median } from './median.js'
import { THEME } from './render-svg.js'

type P4Raw = Record<'baseline' | 'library', { streams: number; rssPerStreamKiB: number }[]>[]

/** P4: RSS per authenticated inbound stream against the streams held, library beside bare TLS. */
export function p4MemorySpec(raw: unknown, goalRatio = 1.25): TopLevelSpec | undefined {
  const runs = raw as P4Raw
  const values: { side: string; streams: number; kib: number }[] = []
  const perSide = { baseline: 'baseline: node:tls, mutual TLS', library: 'library (TLS + SASL EXTERNAL)' }
  for (const side of ['baseline', 'library'] as const) {
    const counts = runs[0]?.[side]?.map((point) => point.streams) ?? []
    for (const [index, streams] of counts.entries()) {
      values.push({
        side: perSide[side],
        streams,
        kib: median(runs.map((r) => r[side]?.[index]?.rssPerStreamKiB ?? Number.NaN)),
      })
    }
  }
  if (values.length === 0) return undefined
  // The goal as a line: goalRatio × the baseline at each count.
  const goal = values
    .filter((v) => v.side === perSide.baseline)
    .map((v) => ({ side: `goal: ${goalRatio} × baseline`, streams: v.streams, kib: v.kib * goalRatio }))
  const sides = [perSide.library, perSide.baseline, `goal: ${goalRatio} × baseline`]
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'P4 memory per authenticated inbound stream (RSS, median of runs)',
    width: THEME.width,
    height: THEME.height,
    data: { values: [...values, ...goal] },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'streams',
        type: 'quantitative',
        title: 'streams held',
        scale: { type: 'log', nice: false },
      },
      y: { field: 'kib', type: 'quantitative', title: 'RSS per stream (KiB)', scale: { zero: true } },
      color: {
        field: 'side',
        type: 'nominal',
        title: null,
        scale: { domain: sides, range: [THEME.colors.library, THEME.colors.baseline, THEME.colors.goal] },
        legend: { orient: 'right', labelLimit: 320 },
      },
      strokeDash: {
        field: 'side',
        type: 'nominal',
        scale: {
          domain: sides,
          range: [
            [1, 0],
            [1, 0],
            [6, 4],
          ],
        },
        title: null,
      },
    },
  }
}
