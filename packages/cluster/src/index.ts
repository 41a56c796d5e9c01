/**
 * @packageDocumentation
 * Several federation nodes serving one deployment over Redis 7: one owner per (local, remote)
 * pair under a fenced lease, a durable outbox per pair so that any node may die without losing a
 * stanza, forwarding between nodes, and a configuration every node must share.
 *
 * @example
 * ```ts
 * import { createFederation } from '@xmpp-federation/router'
 * import { redisCluster } from '@xmpp-federation/cluster'
 *
 * const federation = createFederation({ config, cluster: redisCluster({ url: 'redis://10.0.0.5:6379', nodeId: 'n1' }) })
 * federation.on('cluster', (event) => console.log(event.type))
 * await federation.start()
 * ```
 */
export type {
  ClusterEvent,
  ClusterLeaseStatus,
  ClusterNodeStatus,
  ClusterOutboxStatus,
  ClusterPort,
  ClusterStatus,
} from '@xmpp-federation/router'
export { assertSameConfig, type ConfigRecord, configRecord } from './config-record.js'
export { ClusterKeys, pairName, pairTag } from './keys.js'
export { type LeaseValue, parseLease, writeDeadline } from './lease.js'
export {
  DEFAULT_LEASE_MS,
  DEFAULT_PREFIX,
  RedisCluster,
  type RedisClusterOptions,
  redisCluster,
  requesterOf,
} from './redis-cluster.js'
export { rendezvous } from './rendezvous.js'
