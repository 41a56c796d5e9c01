import type { TopLevelSpec } from 'vega-lite'
import { median } from './median.js'
import { THEME } from './render-svg.js'

type P2Raw = Partial<Record<'prosody' | 'ejabberd' | 'library', { receiverCpuPer1k: number }>>[]

const RECEIVERS = [
  { key: 'library', label: 'library g.test', color: THEME.colors.library },
  { key: 'prosody', label: 'Prosody b.test', color: THEME.colors.prosody },
  { key: 'ejabberd', label: 'ejabberd e.test', color: '#ff7f0e' },
] as const

/** P2: what receiving the same stanzas from Prosody a.test costs each receiver, in CPU ms per 1,000. */
export function p2ReceivingSpec(raw: unknown): TopLevelSpec | undefined {
  const runs = raw as P2Raw
  const values = RECEIVERS.flatMap(({ key, label }) => {
    const ms = median(runs.map((run) => (run[key]?.receiverCpuPer1k ?? Number.NaN) * 1000))
    return Number.isFinite(ms) ? [{ receiver: label, ms }] : []
  })
  if (values.length === 0) return undefined
  const present = RECEIVERS.filter((r) => values.some((v) => v.receiver === r.label))
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'P2 receiving cost: CPU per 1,000 stanzas from Prosody a.test (median of runs)',
    width: THEME.width,
    height: 40 * values.length,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'receiver', type: 'nominal', title: null, sort: present.map((r) => r.label) },
          x: { field: 'ms', type: 'quantitative', title: 'receiver CPU ms per 1,000 stanzas' },
          color: {
            field: 'receiver',
            type: 'nominal',
            legend: null,
            scale: { domain: present.map((r) => r.label), range: present.map((r) => r.color) },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4 },
        encoding: {
          y: { field: 'receiver', type: 'nominal', sort: present.map((r) => r.label) },
          x: { field: 'ms', type: 'quantitative' },
          text: { field: 'ms', type: 'quantitative', format: '.0f' },
        },
      },
    ],
  }
}
