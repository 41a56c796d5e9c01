import type { TopLevelSpec } from 'vega-lite'
import type { LoadResult } from '../load.js'
import { median } from './median.js'
import { THEME } from './render-svg.js'

type P1Raw = Record<string, { latency: LoadResult }>[]

const SIDES: Record<string, { label: string; color: string }> = {
  baseline: { label: 'baseline: node:tls + ltx', color: THEME.colors.baseline },
  stream: { label: '@xmpp-federation/stream only', color: '#9467bd' },
  library: { label: 'library → library', color: THEME.colors.library },
}

/**
 * P1's one-way latency at half rate as a percentile spectrum: the x axis counts nines
 * (90 %, 99 %, 99.9 %...), so the tail, where implementations differ, gets the room.
 * Per variant, each percentile is the median over the runs.
 */
export function p1LatencySpec(raw: unknown): TopLevelSpec | undefined {
  const runs = raw as P1Raw
  const values: { side: string; nines: number; percentile: number; ms: number }[] = []
  for (const side of Object.keys(SIDES)) {
    const curves = runs
      .map((run) => run[side]?.latency.latencyUs?.distribution)
      .filter((c) => c !== undefined)
    if (curves.length === 0) continue
    for (const [index, [percentile]] of curves[0]!.entries()) {
      const us = median(curves.map((curve) => curve[index]![1]))
      values.push({
        side: SIDES[side]!.label,
        percentile,
        nines: -Math.log10(1 - percentile / 100),
        ms: us / 1000,
      })
    }
  }
  if (values.length === 0) return undefined
  const present = Object.values(SIDES).filter((s) => values.some((v) => v.side === s.label))
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'P1 one-way latency at half of each variant’s maximum rate (median of runs)',
    width: THEME.width,
    height: THEME.height,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'nines',
        type: 'quantitative',
        title: 'percentile',
        axis: {
          values: [0, 1, 2, 3, 4],
          labelExpr: "['0 %', '90 %', '99 %', '99.9 %', '99.99 %'][datum.value]",
        },
      },
      y: { field: 'ms', type: 'quantitative', title: 'one-way latency (ms, log)', scale: { type: 'log' } },
      color: {
        field: 'side',
        type: 'nominal',
        title: null,
        scale: { domain: present.map((s) => s.label), range: present.map((s) => s.color) },
        legend: { orient: 'right', labelLimit: 320 },
      },
      tooltip: [{ field: 'side' }, { field: 'percentile' }, { field: 'ms', format: '.2f' }],
    },
  }
}
