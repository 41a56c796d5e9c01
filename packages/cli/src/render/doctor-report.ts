import type { DoctorReport, StepResult } from '@xmpp-federation/diagnostics'
import { alignColumns, plural, wrap } from './layout.js'
import { mark } from './marks.js'

const SIDE_LABEL = { local: 'our side', remote: 'remote side', either: 'either side' } as const

/**
 * One line per finding, grouped by the target it ran against:
 *
 *     ✔ tcp        TCP_OK                  connected to 127.0.0.2:5269 in 1 ms
 *     ✖ identity   TLS_CERT_NAME_MISMATCH  does not name a.test: it presents DNS:other.test
 *                  → Remote side: use a certificate whose subjectAltName holds DNS:a.test ...
 */
export function renderDoctorReport(
  report: DoctorReport,
  options: { color: boolean; width: number; strict: boolean },
) {
  const as = report.localDomain ? ` as ${report.localDomain}` : ' (no local domain: remote side only)'
  const out = [`Doctor for ${report.domain}${as}`, '']
  const rows = report.results.map((result) => [
    `  ${mark(result.status, options.color)} ${result.step}`,
    result.code,
    result.message,
  ])
  const lines = alignColumns(rows)
  // The hint goes under the message, indented to the step column.
  const indent = ' '.repeat(6)
  let heading: string | null = null
  report.results.forEach((result, index) => {
    const group = groupOf(result)
    if (group !== heading) {
      if (group !== '') out.push(`  ── ${group}`)
      heading = group
    }
    out.push(lines[index]!)
    if (result.hint) {
      const hint = `→ ${result.hint}${result.side ? ` [${SIDE_LABEL[result.side]}]` : ''}`
      out.push(...wrap(hint, options.width, indent))
    }
  })
  out.push('', verdict(report, options))
  return `${out.join('\n')}\n`
}

function groupOf(result: StepResult): string {
  if (result.step === 'auth') return 'authentication'
  return result.target ? result.target : ''
}

function verdict(report: DoctorReport, options: { color: boolean; strict: boolean }): string {
  const { pass, warn, fail, skip } = report.summary
  const counts = [plural(fail, 'failure'), plural(warn, 'warning'), `${pass} passed`, `${skip} skipped`].join(
    ', ',
  )
  if (fail > 0)
    return `${mark('fail', options.color)} ${counts}: federation with ${report.domain} does not work`
  const authenticated = report.results.some((result) => result.code === 'AUTH_OK')
  const outcome = authenticated
    ? `federation with ${report.domain} works`
    : 'no problem found (authentication was not attempted)'
  if (warn > 0)
    return `${mark(options.strict ? 'fail' : 'warn', options.color)} ${counts}: ${outcome}, with warnings`
  return `${mark('pass', options.color)} ${counts}: ${outcome}`
}
