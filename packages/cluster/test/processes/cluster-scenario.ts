import path from 'node:path'
import {
  type CertScenario,
  type ClusterNode,
  type RedisServer,
  type StartClusterNodeOptions,
  startCertScenario,
  startClusterNode,
  startRedis,
  stopAllPeers,
  type XmppUser,
} from '@xmpp-federation/testing'
import { collectDeliveries, type DeliveryLog } from './deliveries.js'
import { type SourceRelay, startSourceRelay } from './source-relay.js'

// This suite's loopback addresses: Redis on .195, Prosody (a.test) on .196, the three nodes of
// c.test listen on .197/.198 and dial Prosody through relays that give each its own source.
export const REDIS = { host: '127.0.0.195', port: 6395 }
export const PROSODY_IP = '127.0.0.196'
export const NODE_IDS = ['node-1', 'node-2', 'node-3'] as const
export type NodeId = (typeof NODE_IDS)[number]
const LISTEN: Record<NodeId, { host: string; port: number }> = {
  'node-1': { host: '127.0.0.197', port: 5269 },
  'node-2': { host: '127.0.0.198', port: 5269 },
  'node-3': { host: '127.0.0.197', port: 5270 },
}
/** The address Prosody sees each node's stream come from. */
export const SOURCE: Record<NodeId, string> = {
  'node-1': '127.0.0.197',
  'node-2': '127.0.0.198',
  'node-3': '127.0.0.196',
}
const RELAY_PORT: Record<NodeId, number> = { 'node-1': 15271, 'node-2': 15272, 'node-3': 15273 }

export const LEASE_MS = 1_500
export const QUEUE_TTL_MS = 10_000

export interface ClusterScenario {
  readonly scenario: CertScenario
  readonly redis: RedisServer
  readonly alice: XmppUser
  readonly deliveries: DeliveryLog
  readonly nodes: Map<NodeId, ClusterNode>
  node(id: NodeId): ClusterNode
  /**
   * Starts (or restarts) one node; `config` is merged over the shared one. `standalone`: without
   * the cluster (a plain federation), to check the instruments themselves.
   */
  startNode(id: NodeId, config?: Record<string, unknown>, standalone?: boolean): Promise<ClusterNode>
  /** The node that holds the c.test → a.test lease, as Redis says through a node's status. */
  owner(): Promise<NodeId | undefined>
  nodeOfSource(ip: string): NodeId | undefined
  /** s2s connections each node has opened to Prosody so far (through its relay). */
  connections(): Record<NodeId, number>
  cleanup(): Promise<void>
}

export async function startClusterScenario(): Promise<ClusterScenario> {
  const scenario = await startCertScenario({
    domain: 'a.test',
    ip: PROSODY_IP,
    ours: { 'c.test': LISTEN['node-2'].host },
    // XEP-0198 on s2s: the owner trims the outbox only on <a h>, so a killed owner leaves
    // written-but-unacknowledged stanzas behind (the duplicates at-least-once allows).
    modules: ['xf_origin_stamp', 'smacks'],
  })
  const redis = await startRedis({ workdir: scenario.workdir, host: REDIS.host, port: REDIS.port })
  const relays: SourceRelay[] = []
  for (const id of NODE_IDS) {
    relays.push(
      await startSourceRelay({
        host: PROSODY_IP,
        port: RELAY_PORT[id],
        target: { host: PROSODY_IP, port: 5269 },
        sourceAddress: SOURCE[id],
      }),
    )
  }
  const alice = await scenario.login('alice')
  const deliveries = collectDeliveries(alice)
  const files = await scenario.filesFor('c.test')
  const logs = await scenario.workdir.subdir('nodes')
  const nodes = new Map<NodeId, ClusterNode>()

  const sharedConfig = {
    domains: ['c.test'],
    tls: { cert: files.cert, key: files.key, ca: [files.ca], systemCa: false },
    routes: { 'a.test': [{ host: PROSODY_IP }] },
    queue: { ttlMs: QUEUE_TTL_MS },
    // Any node may answer a peer's db:verify: one dialback secret for all.
    dialback: { secret: 'cluster-proof-shared-dialback-secret-0123456789' },
  }
  const startNode = async (id: NodeId, config: Record<string, unknown> = {}, standalone = false) => {
    const options: StartClusterNodeOptions = {
      nodeId: id,
      ...(standalone ? {} : { redisUrl: redis.url }),
      leaseMs: LEASE_MS,
      consoleLogPath: path.join(logs, `${id}.log`),
      config: { ...sharedConfig, listen: [LISTEN[id]], ...config },
      dialVia: { 'a.test': { host: PROSODY_IP, port: RELAY_PORT[id] } },
    }
    const node = await startClusterNode(options)
    nodes.set(id, node)
    return node
  }

  return {
    scenario,
    redis,
    alice,
    deliveries,
    nodes,
    node(id) {
      const node = nodes.get(id)
      if (!node) throw new Error(`${id} is not running`)
      return node
    },
    startNode,
    async owner() {
      // status().cluster is a snapshot refreshed on each heartbeat (a third of the lease).
      const deadline = Date.now() + 3 * LEASE_MS
      while (Date.now() < deadline) {
        for (const node of nodes.values()) {
          if (node.exitReason()) continue
          const status = (await node.status()) as {
            cluster?: { leases?: { remote: string; owner: string; expiresInMs: number }[] }
          }
          const lease = status.cluster?.leases?.find((l) => l.remote === 'a.test' && l.expiresInMs > 0)
          if (lease && nodes.get(lease.owner as NodeId)?.exitReason() === undefined)
            return lease.owner as NodeId
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      return undefined
    },
    nodeOfSource: (ip) => NODE_IDS.find((id) => SOURCE[id] === ip),
    connections: () =>
      Object.fromEntries(NODE_IDS.map((id, index) => [id, relays[index]!.connections()])) as Record<
        NodeId,
        number
      >,
    async cleanup() {
      await Promise.allSettled([...nodes.values()].map((node) => node.stop()))
      await deliveries.stop()
      for (const relay of relays) await relay.close()
      await redis.stop()
      await scenario.cleanup()
      await stopAllPeers()
    },
  }
}

/** A chat message to alice whose id and body are the same unique text. */
export function messageTo(id: string, to = 'alice@a.test'): string {
  return `<message from="bot@c.test" to="${to}" id="${id}" type="chat"><body>${id}</body></message>`
}
