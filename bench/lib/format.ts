import type { Figure, ScenarioResult } from './report.js'

/** A number at a precision that suits its size: 123456 -> 123456, 12.345 -> 12.3, 0.01234 -> 0.0123. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '-'
  const abs = Math.abs(value)
  if (abs >= 1000) return Math.round(value).toString()
  if (abs >= 100) return value.toFixed(0)
  if (abs >= 10) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  if (abs < 0.001) return '0'
  return value.toPrecision(3)
}

export function figureText(f: Figure): string {
  const { median, min, max, runs } = f.value
  if (runs === 0) return '-'
  const unit = f.unit === '×' ? '×' : f.unit ? ` ${f.unit}` : ''
  if (runs === 1 || min === max) return `${num(median)}${unit}`
  return `${num(median)}${unit} (${num(min)}–${num(max)})`
}

/** The scenario as a plain-text table: one line per row, one column per figure name. */
export function scenarioTable(result: ScenarioResult): string {
  const names = [...new Set(result.rows.flatMap((row) => row.figures.map((f) => f.name)))]
  const header = ['', ...names]
  const lines = result.rows.map((row) => [
    row.label,
    ...names.map((name) => {
      const f = row.figures.find((candidate) => candidate.name === name)
      return f ? figureText(f) : ''
    }),
  ])
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((line) => line[i]!.length)))
  const render = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')
  const out = [`${result.id} ${result.title}`, render(header), widths.map((w) => '-'.repeat(w)).join('-|-')]
  out.push(...lines.map(render))
  for (const row of result.rows) if (row.note) out.push(`  ${row.label}: ${row.note}`)
  if (result.goal) out.push(`  goal: ${result.goal}`)
  for (const note of result.notes ?? []) out.push(`  ${note}`)
  return out.join('\n')
}
