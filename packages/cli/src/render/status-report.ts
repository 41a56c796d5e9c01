import {
  type DomainStatus,
  type FederationStatus,
  roundTripMs,
  type StatusAssessment,
} from '@xmpp-federation/diagnostics'
import { renderClusterReport } from './cluster-report.js'
import { clusterSection } from './cluster-section.js'
import { alignColumns, plural } from './layout.js'
import { mark } from './marks.js'

const HEADER = [
  'REMOTE',
  'LOCAL',
  'DIR',
  'STATE',
  'AUTH',
  'TLS',
  'PEER CERTIFICATE',
  'EXPIRES',
  'QUEUED',
  'UNACKED',
  'IN/OUT',
  'RTT',
  'LAST ERROR',
]

/** One row per stream with a remote domain, as a table. */
export function renderStatusReport(
  status: FederationStatus,
  assessment: StatusAssessment,
  options: { color: boolean; url: string },
): string {
  const out = [
    `${mark(assessment.federation.status, options.color)} federation ${status.state} at ${options.url}; local domains ${status.localDomains.join(', ') || '(none)'}`,
    '',
  ]
  if (assessment.domains.length === 0) {
    out.push('  no streams with remote domains yet')
  } else {
    const rows = assessment.domains.map(({ domain, status: verdict }) => {
      const [remote, ...rest] = columns(domain)
      return [`  ${mark(verdict, options.color)} ${remote}`, ...rest]
    })
    out.push(...alignColumns([[`    ${HEADER[0]}`, ...HEADER.slice(1)], ...rows]))
    const notes = assessment.domains.flatMap(({ domain, findings }) =>
      findings
        .filter((finding) => finding.status !== 'pass')
        .map(
          (finding) =>
            `  ${mark(finding.status, options.color)} ${domain.remote} (${domain.direction}): ${finding.code} ${finding.message}`,
        ),
    )
    if (notes.length > 0) out.push('', ...notes)
  }
  const failing = assessment.domains.filter((domain) => domain.status === 'fail').length
  const warning = assessment.domains.filter((domain) => domain.status === 'warn').length
  out.push('', `${plural(assessment.domains.length, 'stream')}: ${failing} failing, ${warning} with warnings`)
  const cluster = clusterSection(status)
  if (cluster) out.push('', ...renderClusterReport(cluster, options))
  const clusterNotes = assessment.cluster.map(
    (finding) => `  ${mark(finding.status, options.color)} ${finding.code} ${finding.message}`,
  )
  if (clusterNotes.length > 0) out.push('', ...clusterNotes)
  return `${out.join('\n')}\n`
}

function columns(domain: DomainStatus): string[] {
  const certificate = domain.peerCertificate
  const rtt = roundTripMs(domain)
  const error = domain.lastError ? `${domain.lastError.condition}: ${domain.lastError.message}` : '-'
  return [
    domain.remote,
    domain.local,
    domain.direction === 'outbound' ? 'out' : 'in',
    domain.state,
    domain.authMechanism ?? '-',
    domain.tlsVersion ?? 'none',
    certificate ? `${oneLine(certificate.subject)}${certificate.trusted ? '' : ' (untrusted)'}` : '-',
    certificate ? isoDay(certificate.validTo) : '-',
    String(domain.queued),
    String(domain.unacknowledged ?? 0),
    `${domain.stanzasIn}/${domain.stanzasOut}`,
    rtt === undefined ? '-' : `${Math.round(rtt)} ms`,
    error,
  ]
}

function oneLine(subject: string | undefined): string {
  return (subject ?? '').split('\n').filter(Boolean).join(', ') || '(no subject)'
}

function isoDay(text: string): string {
  const date = new Date(text)
  return Number.isNaN(date.getTime()) ? text : date.toISOString().slice(0, 10)
}
