import type { FederationStatus } from '@xmpp-federation/diagnostics'

/** One node of a cluster as its status document lists it. */
export interface ClusterNodeView {
  nodeId: string
  enabled: boolean
  fingerprint: string
  alive: boolean
  lastSeenMs: number | undefined
}

/** Which node writes for one domain pair, under which fencing epoch, until when. */
export interface ClusterLeaseView {
  local: string
  remote: string
  owner: string
  epoch: number
  expiresInMs: number
}

/** Stanzas waiting in one domain pair's shared outbox. */
export interface ClusterOutboxView {
  local: string
  remote: string
  depth: number
}

/** The `cluster` section of a status document served by a node of `@xmpp-federation/cluster`. */
export interface ClusterView {
  nodeId: string
  fingerprint: string
  nodes: ClusterNodeView[]
  leases: ClusterLeaseView[]
  outbox: ClusterOutboxView[]
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const text = (value: unknown): string => (typeof value === 'string' ? value : '?')
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0)
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter(isObject) : []

/**
 * The cluster section of a status, or undefined for a single-node federation. The document
 * comes over the network, possibly from a newer or older node: fields it lacks read as
 * placeholders rather than break the report.
 */
export function clusterSection(status: FederationStatus): ClusterView | undefined {
  const cluster = (status as { cluster?: unknown }).cluster
  if (!isObject(cluster)) return undefined
  return {
    nodeId: text(cluster.nodeId),
    fingerprint: text(cluster.fingerprint),
    nodes: list(cluster.nodes).map((node) => ({
      nodeId: text(node.nodeId),
      enabled: node.enabled !== false,
      fingerprint: text(node.fingerprint),
      alive: node.alive === true,
      lastSeenMs: typeof node.lastSeenMs === 'number' ? node.lastSeenMs : undefined,
    })),
    leases: list(cluster.leases).map((lease) => ({
      local: text(lease.local),
      remote: text(lease.remote),
      owner: text(lease.owner),
      epoch: count(lease.epoch),
      expiresInMs: count(lease.expiresInMs),
    })),
    outbox: list(cluster.outbox).map((box) => ({
      local: text(box.local),
      remote: text(box.remote),
      depth: count(box.depth),
    })),
  }
}
