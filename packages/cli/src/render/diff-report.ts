import { type ClusterDiffReport, isSecretPath, isStatusUrl } from '@xmpp-federation/diagnostics'
import { alignColumns, plural } from './layout.js'
import { mark } from './marks.js'

/**
 *   Clusters
 *     ✔ east  imp-1, imp-2  federation on imp-1, imp-2  fingerprint 1a2b3c4d5e6f
 *   Differences
 *     security.tls
 *       east (imp-1, imp-2)  'required'
 *       west (imp-3)         'opportunistic'
 */
export function renderDiffReport(report: ClusterDiffReport, options: { color: boolean }): string {
  const { comparison } = report
  const out: string[] = []
  if (report.unreadable.length > 0) {
    out.push(unreadUrls(report) ? 'Files or nodes that could not be read' : 'Files that could not be loaded')
    for (const { file, message } of report.unreadable) {
      out.push(
        `  ${mark('fail', options.color)} ${file}`,
        ...message.split('\n').map((line) => `      ${line}`),
      )
    }
    out.push('')
  }
  out.push('Clusters')
  const noFederation = new Set(
    comparison.problems.filter((p) => p.code === 'NO_FEDERATION_NODE').map((p) => p.cluster),
  )
  out.push(
    ...alignColumns(
      comparison.clusters.map((cluster) => [
        `  ${mark(noFederation.has(cluster.name) || cluster.fingerprint === null ? 'fail' : 'pass', options.color)} ${cluster.name}`,
        cluster.nodes.join(', '),
        `federation on ${cluster.enabledNodes.length > 0 ? cluster.enabledNodes.join(', ') : 'no node'}`,
        cluster.fingerprint ? `fingerprint ${cluster.fingerprint.slice(0, 12)}` : 'nodes disagree',
      ]),
    ),
  )
  if (comparison.problems.length > 0) {
    out.push('', 'Problems')
    out.push(
      ...alignColumns(
        comparison.problems.map((problem) => [
          `  ${mark('fail', options.color)} ${problem.code}`,
          problem.message,
        ]),
      ),
    )
  }
  if (comparison.differences.length > 0) {
    out.push('', `Differences (${comparison.differences.length})`)
    for (const difference of comparison.differences) {
      out.push(`  ${difference.path}`)
      const rows = difference.values.map((entry) => [
        `    ${entry.cluster} (${entry.nodes.join(', ')})`,
        showValue(entry.value, isSecretPath(difference.path)),
      ])
      out.push(...alignColumns(rows))
    }
  }
  out.push('', verdict(report, options))
  return `${out.join('\n')}\n`
}

function showValue(value: unknown, secret: boolean): string {
  if (value === undefined) return '(not set)'
  // A secret arrives as a short fingerprint already; it is not a value to copy into a file.
  if (secret) return String(value)
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value)
}

function verdict(report: ClusterDiffReport, options: { color: boolean }): string {
  const { comparison } = report
  const nodes = report.files.length
  if (report.ok) {
    return `${mark('pass', options.color)} ${plural(nodes, 'node')} in ${plural(comparison.clusters.length, 'cluster')}: the federation configuration is identical`
  }
  const parts = [
    comparison.differences.length > 0
      ? `${plural(comparison.differences.length, 'setting')} ${comparison.differences.length === 1 ? 'differs' : 'differ'}`
      : '',
    comparison.problems.length > 0 ? plural(comparison.problems.length, 'problem') : '',
    report.unreadable.length > 0
      ? `${plural(report.unreadable.length, unreadUrls(report) ? 'source' : 'file')} not ${unreadUrls(report) ? 'read' : 'loaded'}`
      : '',
  ].filter(Boolean)
  return `${mark('fail', options.color)} ${parts.join(', ')}`
}

/** A running node (a URL) among the sources that could not be read. */
const unreadUrls = (report: ClusterDiffReport) => report.unreadable.some((entry) => isStatusUrl(entry.file))
