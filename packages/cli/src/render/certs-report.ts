import type { DevelopmentCertificates } from '../certs/development-certificates.js'
import { alignColumns, plural } from './layout.js'
import { mark } from './marks.js'

/** Each file, what it is and which setting takes it; then the tls section per domain. */
export function renderCertsReport(made: DevelopmentCertificates, options: { color: boolean }): string {
  const { ca } = made
  const kept = ca.created ? '' : ' (already there, kept)'
  const headline = ca.created
    ? `made a development CA and ${plural(made.domains.length, 'certificate')} in ${made.dir}`
    : `signed ${plural(made.domains.length, 'certificate')} with the CA already in ${made.dir}`
  const rows = [
    [
      `  ${ca.cert}`,
      `the CA certificate${kept}`,
      'tls.ca of every server that must trust these certificates',
    ],
    [
      `  ${ca.key}`,
      `the CA's private key, mode 0600${kept}`,
      'signs more domains later (certs --out this DIR); never deploy it',
    ],
    ...made.domains.flatMap(({ domain, cert, key }) => [
      [`  ${cert}`, `${domain}'s certificate, then the CA`, `tls.cert of ${domain}`],
      [`  ${key}`, `${domain}'s private key, mode 0600`, `tls.key of ${domain}`],
    ]),
  ]
  const out = [`${mark('pass', options.color)} ${headline}`, '', ...alignColumns(rows)]
  for (const { domain, cert, key } of made.domains) {
    out.push('', `  ${domain}'s configuration:`, '    tls:', `      cert: ${cert}`, `      key: ${key}`)
    out.push(`      ca: [${ca.cert}]`, '      systemCa: false')
  }
  const until = made.domains.map((entry) => isoDay(entry.notAfter))
  out.push(
    '',
    `Valid until ${[...new Set(until)].join(', ')} (the CA until ${isoDay(ca.notAfter)}).`,
    'For development and tests only: peers trust these certificates only when they list ca.crt in tls.ca.',
  )
  return `${out.join('\n')}\n`
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}
