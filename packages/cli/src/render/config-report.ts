import type { ConfigCheckReport, ConfigFinding } from '@xmpp-federation/diagnostics'
import { alignColumns, plural, wrap } from './layout.js'
import { mark } from './marks.js'

/**
 *     ✖ tls.cert  CERT_DOMAIN_NOT_COVERED  the certificate "CN=x" does not name c.test ...
 *                 fix: use a certificate whose subjectAltName holds DNS:c.test ...
 */
export function renderConfigReport(
  report: ConfigCheckReport,
  options: { color: boolean; width: number; strict: boolean },
): string {
  const out = [`Configuration ${report.file}`, '']
  const rows = report.findings.map((finding) => [
    `  ${mark(finding.severity === 'error' ? 'fail' : 'warn', options.color)} ${where(finding)}`,
    finding.code,
    finding.message,
  ])
  const lines = alignColumns(rows)
  report.findings.forEach((finding, index) => {
    out.push(lines[index]!)
    if (finding.fix) out.push(...wrap(`fix: ${finding.fix}`, options.width, ' '.repeat(6)))
  })
  if (report.findings.length > 0) out.push('')
  out.push(verdict(report, options))
  return `${out.join('\n')}\n`
}

function where(finding: ConfigFinding): string {
  const path = finding.path === '' ? '(file)' : finding.path
  return finding.line === null ? path : `${path} (line ${finding.line}:${finding.column ?? 1})`
}

function verdict(report: ConfigCheckReport, options: { color: boolean; strict: boolean }): string {
  const { errors, warnings } = report.summary
  const fingerprint = report.fingerprint ? ` (fingerprint ${report.fingerprint.slice(0, 12)})` : ''
  if (errors > 0)
    return `${mark('fail', options.color)} ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`
  if (warnings > 0) {
    const status = options.strict ? 'fail' : 'warn'
    return `${mark(status, options.color)} usable, with ${plural(warnings, 'warning')}${fingerprint}`
  }
  return `${mark('pass', options.color)} no problem found${fingerprint}`
}
