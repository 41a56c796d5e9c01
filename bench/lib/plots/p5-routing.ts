import type { TopLevelSpec } from 'vega-lite'
import type { LoadResult } from '../load.js'
import { median } from './median.js'
import { THEME } from './render-svg.js'

type P5Raw = Record<'baseline' | 'library', LoadResult[]>[]

/** P5: CPU per stanza against the number of active remote domains, sender and receiver, library beside baseline. */
export function p5RoutingSpec(raw: unknown, domains: readonly number[]): TopLevelSpec | undefined {
  const runs = raw as P5Raw
  const values: { side: string; role: string; domains: number; us: number }[] = []
  const labels = { baseline: 'baseline: node:tls + ltx', library: 'library' }
  for (const side of ['baseline', 'library'] as const) {
    for (const [index, count] of domains.entries()) {
      for (const role of ['sender', 'receiver'] as const) {
        const pick = (r: LoadResult | undefined) =>
          role === 'sender'
            ? (r?.senderCpuUsPerStanza ?? Number.NaN)
            : (r?.receiverCpuUsPerStanza ?? Number.NaN)
        const us = median(runs.map((run) => pick(run[side]?.[index])))
        if (Number.isFinite(us)) values.push({ side: labels[side], role, domains: count, us })
      }
    }
  }
  if (values.length === 0) return undefined
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'P5 CPU per stanza against active remote domains (median of runs)',
    width: THEME.width,
    height: THEME.height,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'domains',
        type: 'quantitative',
        title: 'active remote domains',
        scale: { type: 'log', nice: false },
      },
      y: { field: 'us', type: 'quantitative', title: 'CPU µs per stanza', scale: { zero: true } },
      color: {
        field: 'side',
        type: 'nominal',
        title: null,
        scale: {
          domain: [labels.library, labels.baseline],
          range: [THEME.colors.library, THEME.colors.baseline],
        },
        legend: { orient: 'right', labelLimit: 320 },
      },
      strokeDash: {
        field: 'role',
        type: 'nominal',
        title: null,
        scale: {
          domain: ['sender', 'receiver'],
          range: [
            [1, 0],
            [5, 3],
          ],
        },
        legend: { orient: 'right', symbolType: 'stroke', symbolStrokeColor: '#444444' },
      },
      tooltip: [{ field: 'side' }, { field: 'role' }, { field: 'domains' }, { field: 'us', format: '.2f' }],
    },
  }
}
