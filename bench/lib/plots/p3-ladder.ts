import type { TopLevelSpec } from 'vega-lite'
import { THEME } from './render-svg.js'

interface Capture {
  readonly roundTrips: number
  readonly perConnection: readonly {
    roundTrips: number
    flights: readonly { dir: string; bytes: number; atUs: number }[]
  }[]
}

/** The cold links the ladder shows, with the titles it gives them. */
const LADDER_CASES: Record<string, string> = {
  library: 'library c.test → library d.test (RSA)',
  libraryKnown: 'library → library, peer known from an earlier XEP-0092 answer (RSA)',
  libraryDirectKnown: 'library → library, direct TLS (XEP-0368), peer known (RSA)',
  toProsody: 'library c.test → Prosody b.test (RSA)',
  toProsodyKnown: 'library → Prosody, peer known (RSA)',
  toProsodyDirectKnown: 'library → Prosody, direct TLS (XEP-0368), peer known (RSA)',
  prosody: 'Prosody a.test → Prosody b.test (RSA)',
}

/**
 * P3's cold link as a ladder (a sequence diagram): one pair of vertical lines per TCP
 * connection (initiator left, peer right), one arrow per flight of bytes as the relay saw it,
 * in the order they happened, each labelled with its time since the first byte and its size.
 * Flights are evenly spaced rather than drawn to a time scale: on loopback several come
 * within a fraction of a millisecond and would print over each other. The pass with the
 * fewest round trips of each case is drawn.
 */
export function p3LadderSpec(raw: unknown): TopLevelSpec | undefined {
  const captures = (raw as { captures?: Record<string, Capture[]> }).captures
  if (!captures) return undefined
  const panels = Object.entries(LADDER_CASES).flatMap(([id, title]) => {
    const passes = captures[id]
    if (!passes || passes.length === 0) return []
    const best = passes.reduce((a, b) => (b.roundTrips < a.roundTrips ? b : a))
    return [ladderPanel(`${title}: ${best.roundTrips} round trips`, best)]
  })
  if (panels.length === 0) return undefined
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'P3 cold link: flights of bytes per connection until delivery (in order, top to bottom)',
    vconcat: panels,
    resolve: { scale: { color: 'shared' } },
  }
}

function ladderPanel(title: string, capture: Capture) {
  const start = Math.min(...capture.perConnection.flatMap((c) => c.flights.map((f) => f.atUs)))
  const flights = capture.perConnection
    .flatMap((connection, index) => connection.flights.map((flight) => ({ flight, index })))
    .sort((a, b) => a.flight.atUs - b.flight.atUs)
  const arrows = flights.map(({ flight, index }, step) => {
    const [left, right] = [index * 3, index * 3 + 1]
    const up = flight.dir === 'up'
    return {
      step,
      from: up ? left : right,
      to: up ? right : left,
      mid: (left + right) / 2,
      direction: up ? 'initiator → peer' : 'peer → initiator',
      shape: up ? 'triangle-right' : 'triangle-left',
      label: `${((flight.atUs - start) / 1000).toFixed(1)} ms · ${flight.bytes} B`,
    }
  })
  const lanes = capture.perConnection.flatMap((_, index) => [
    { x: index * 3, name: `#${index + 1} initiator` },
    { x: index * 3 + 1, name: `#${index + 1} peer` },
  ])
  const laneValues = lanes.map((l) => l.x)
  const laneNames = Object.fromEntries(lanes.map((l) => [l.x, l.name]))
  const x = {
    type: 'quantitative' as const,
    title: null,
    scale: { domain: [-0.5, Math.max(...laneValues) + 0.5] },
    axis: {
      values: laneValues,
      labelExpr: `${JSON.stringify(laneNames)}[datum.value]`,
      orient: 'top' as const,
      grid: false,
    },
  }
  const y = {
    field: 'step',
    type: 'quantitative' as const,
    title: 'flights, in order',
    scale: { domain: [arrows.length, -1] },
    axis: null,
  }
  return {
    title,
    width: Math.max(240, capture.perConnection.length * 180),
    height: Math.max(160, arrows.length * 20),
    layer: [
      {
        data: { values: lanes },
        mark: { type: 'rule' as const, color: '#bbbbbb' },
        encoding: { x: { field: 'x', ...x } },
      },
      {
        data: { values: arrows },
        mark: { type: 'rule' as const, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'from', ...x },
          x2: { field: 'to' },
          y,
          color: colour,
        },
      },
      {
        data: { values: arrows },
        mark: { type: 'point' as const, filled: true, size: 40 },
        encoding: {
          x: { field: 'to', ...x },
          y,
          shape: { field: 'shape', type: 'nominal' as const, scale: null },
          color: colour,
        },
      },
      {
        data: { values: arrows },
        mark: { type: 'text' as const, dy: -5, fontSize: 9 },
        encoding: { x: { field: 'mid', ...x }, y, text: { field: 'label' } },
      },
    ],
  }
}

const colour = {
  field: 'direction',
  type: 'nominal' as const,
  title: null,
  scale: {
    domain: ['initiator → peer', 'peer → initiator'],
    range: [THEME.colors.library, THEME.colors.prosody],
  },
}
