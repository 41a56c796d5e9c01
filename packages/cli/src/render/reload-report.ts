import type { ReconfigureIssue, ReconfigureReport } from '@xmpp-federation/router'

/** What a reload request came back with. */
export type ReloadAnswer =
  | { kind: 'applied'; report: ReconfigureReport }
  | { kind: 'refused'; message: string; issues: ReconfigureIssue[] }
  | { kind: 'failed'; message: string }

/** The report for people: each changed setting, each closed stream, the bounced count; or why not. */
export function renderReloadReport(answer: ReloadAnswer): string {
  if (answer.kind === 'failed') return `✖ ${answer.message}\n`
  if (answer.kind === 'refused') {
    const lines = answer.issues.map((issue) => `  - ${issue.path || '(config)'}: ${issue.message}`)
    return `✖ configuration refused; the old one keeps serving:\n${lines.join('\n')}\n`
  }
  const { report } = answer
  if (report.unchanged) return '✔ reloaded: nothing changed\n'
  const lines = ['✔ reloaded', `  changed (${report.changed.length}):`]
  for (const change of report.changed) {
    lines.push(`    ${change.path}: ${show(change.before)} → ${show(change.after)}`)
  }
  lines.push(`  streams closed: ${report.closed.length}`)
  for (const closed of report.closed) {
    lines.push(
      `    ${closed.direction} ${closed.local} ⇄ ${closed.remote}: <${closed.condition}/> ${closed.reason}`,
    )
  }
  lines.push(`  stanzas bounced: ${report.bounced}`)
  for (const note of report.notes ?? []) lines.push(`  note: ${note}`)
  return `${lines.join('\n')}\n`
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value)
}
