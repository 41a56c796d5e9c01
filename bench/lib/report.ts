import type { Summary } from './stats.js'

/** One measured quantity of a row: its median over the runs, with min and max. */
export interface Figure {
  readonly name: string
  readonly unit: string
  readonly value: Summary
}

/** A line of the bench table: one thing measured (e.g. "library → library"), its figures. */
export interface Row {
  readonly label: string
  readonly figures: readonly Figure[]
  readonly note?: string
}

/** What one scenario (P1..P5) reports: its rows, and the raw per-run numbers for the JSON. */
export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly rows: readonly Row[]
  readonly goal?: string
  readonly notes?: readonly string[]
  readonly raw: unknown
}

export function figure(name: string, unit: string, value: Summary): Figure {
  return { name, unit, value }
}
