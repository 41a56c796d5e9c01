import type { ClusterView } from './cluster-section.js'
import { alignColumns, plural } from './layout.js'
import { type Mark, mark } from './marks.js'

/**
 * The cluster part of `status`: every node with its config fingerprint (one that differs from
 * this node's is refused at start, so it is flagged), who holds each domain pair's lease, and
 * how many stanzas wait in each shared outbox.
 */
export function renderClusterReport(cluster: ClusterView, options: { color: boolean }): string[] {
  const alive = cluster.nodes.filter((node) => node.alive).length
  const out = [
    `cluster: this is node ${cluster.nodeId} (config ${shortFingerprint(cluster.fingerprint)}); ${alive} of ${plural(cluster.nodes.length, 'node')} alive`,
    '',
  ]
  const nodeRows = cluster.nodes.map((node) => {
    const verdict: Mark = !node.alive ? 'fail' : node.fingerprint !== cluster.fingerprint ? 'warn' : 'pass'
    return [
      `  ${mark(verdict, options.color)} ${node.nodeId}${node.nodeId === cluster.nodeId ? ' (this node)' : ''}`,
      node.alive ? 'yes' : 'no',
      node.enabled ? 'yes' : 'no',
      `${shortFingerprint(node.fingerprint)}${node.fingerprint === cluster.fingerprint ? '' : ' (differs)'}`,
      node.lastSeenMs === undefined ? '-' : `${seconds(node.lastSeenMs)} ago`,
    ]
  })
  out.push(...alignColumns([['    NODE', 'ALIVE', 'FEDERATES', 'CONFIG', 'LAST SEEN'], ...nodeRows]))
  out.push('')
  if (cluster.leases.length === 0) out.push('  no domain pair is owned yet')
  else {
    const leaseRows = cluster.leases.map((lease) => [
      `    ${lease.local} → ${lease.remote}`,
      lease.owner === cluster.nodeId ? `${lease.owner} (this node)` : lease.owner,
      String(lease.epoch),
      lease.expiresInMs > 0 ? `in ${seconds(lease.expiresInMs)}` : 'expired',
    ])
    out.push(...alignColumns([['    PAIR', 'OWNER', 'EPOCH', 'LEASE ENDS'], ...leaseRows]))
  }
  const waiting = cluster.outbox.filter((box) => box.depth > 0)
  out.push('')
  if (waiting.length === 0) out.push('  every outbox is empty')
  else {
    const rows = waiting.map((box) => [`    ${box.local} → ${box.remote}`, String(box.depth)])
    out.push(...alignColumns([['    OUTBOX', 'WAITING'], ...rows]))
  }
  return out
}

function shortFingerprint(fingerprint: string): string {
  return fingerprint.length > 12 ? `${fingerprint.slice(0, 12)}…` : fingerprint
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
