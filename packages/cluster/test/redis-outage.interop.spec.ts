import type { FederationConfigInput } from '@xmpp-federation/config'
import {
  type BounceEvent,
  createFederation,
  type Federation,
  type SessionEvent,
  xml,
} from '@xmpp-federation/router'
import {
  type CertScenario,
  createWorkdir,
  type RedisServer,
  startCertScenario,
  startRedis,
  stopAllPeers,
  type Workdir,
  type XmppUser,
} from '@xmpp-federation/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RedisCluster } from '../src/index.js'
import {
  clusterEvents,
  debugLogger,
  eventually,
  NODE_IPS,
  nodeConfig,
  PROSODY_IP,
  REDIS_HOST,
  startFreezableProxy,
} from './helpers.js'

// What a node does when Redis goes away: restarted empty, the owner re-claims its lease and keeps
// its stream; unreachable, a send retries until its TTL and then bounces with remote-server-timeout.
const LEASE_MS = 1_500

describe('a cluster node when Redis restarts or is unreachable', () => {
  let workdir: Workdir
  let redis: RedisServer
  let scenario: CertScenario
  let alice: XmppUser
  let files: { cert: string; key: string; ca: string }
  let running: Federation[] = []

  function node(
    prefix: string,
    extra: Partial<FederationConfigInput> = {},
    cluster = new RedisCluster({ url: redis.url, nodeId: 'n1', leaseMs: LEASE_MS, prefix }),
  ) {
    const federation = createFederation({
      config: nodeConfig(files, NODE_IPS.n1, extra),
      cluster,
      logger: process.env.XF_DEBUG ? debugLogger('n1') : false,
    })
    const bounces: BounceEvent[] = []
    const sessions: SessionEvent[] = []
    federation.on('bounce', (event) => bounces.push(event))
    federation.on('session', (event) => sessions.push(event))
    running.push(federation)
    return { federation, cluster, bounces, sessions, events: clusterEvents(federation) }
  }

  const message = (id: string) =>
    xml('message', { from: 'bot@c.test', to: alice.bareJid, id, type: 'chat' }, xml('body', {}, id))

  beforeAll(async () => {
    workdir = await createWorkdir()
    redis = await startRedis({ workdir, host: REDIS_HOST, port: 6393 })
    scenario = await startCertScenario({ domain: 'a.test', ip: PROSODY_IP, ours: { 'c.test': NODE_IPS.n1 } })
    files = await scenario.filesFor('c.test')
    alice = await scenario.login('alice')
  })
  afterEach(async () => {
    for (const federation of running.reverse()) await federation.stop().catch(() => undefined)
    running = []
  })
  afterAll(async () => {
    await scenario?.cleanup()
    await redis?.stop()
    await workdir?.cleanup()
    await stopAllPeers()
  })

  it('Redis restarted empty: the owner re-claims its lease under a newer epoch and keeps its stream', async () => {
    const n1 = node('restart')
    await n1.federation.start()
    await n1.federation.send(message('r-0'))
    await alice.nextStanza((s) => s.attrs.id === 'r-0', 15_000)
    await redis.restart()
    await eventually(() => expect(n1.events).toContainEqual({ type: 'redis-restored' }))
    const ids = ['r-1', 'r-2', 'r-3']
    await Promise.all(ids.map((id) => n1.federation.send(message(id))))
    for (const id of ids) await alice.nextStanza((s) => s.attrs.id === id, 15_000)
    const epochs = n1.events.flatMap((e) => (e.type === 'lease-acquired' ? [e.epoch] : []))
    expect(epochs).toHaveLength(2)
    expect(epochs[1]!).toBeGreaterThan(epochs[0]!)
    expect(n1.events.some((e) => e.type === 'redis-unavailable')).toBe(true)
    expect(n1.events.some((e) => e.type === 'lease-lost')).toBe(false)
    // One outbound stream all along: no storm of new links after the restart.
    expect(n1.sessions.filter((s) => s.direction === 'outbound' && s.state === 'established')).toHaveLength(1)
    expect(n1.bounces).toEqual([])
  })

  it('Redis silent: sends waiting for it are bounded by maxPendingSends (resource-constraint beyond)', async () => {
    const proxy = await startFreezableProxy(
      { host: REDIS_HOST, port: 6390 },
      { host: redis.host, port: redis.port },
    )
    try {
      const cluster = new RedisCluster({
        url: proxy.url,
        nodeId: 'n1',
        leaseMs: LEASE_MS,
        prefix: 'bound',
        maxPendingSends: 3,
      })
      const n1 = node('bound', {}, cluster)
      await n1.federation.start()
      proxy.freeze()
      const sends = Array.from({ length: 6 }, (_, i) => n1.federation.send(message(`b-${i}`)))
      for (const waiting of sends.slice(0, 3)) waiting.catch(() => undefined)
      // The first three wait for Redis; the next three are refused at once.
      const refused = await Promise.allSettled(sends.slice(3))
      expect(
        refused.map((o) => o.status === 'rejected' && (o.reason as { condition: string }).condition),
      ).toEqual(['resource-constraint', 'resource-constraint', 'resource-constraint'])
      proxy.thaw()
    } finally {
      await proxy.close()
    }
  })

  it('Redis unreachable: a send retries until its TTL, then bounces with remote-server-timeout', async () => {
    const n1 = node('outage', { queue: { ttlMs: 1_000 } })
    await n1.federation.start()
    await redis.process.stop()
    const sent = n1.federation.send(message('lost-1'))
    await expect(sent).rejects.toMatchObject({ condition: 'remote-server-timeout' })
    await expect(sent).rejects.toThrow(/Redis/)
    expect(n1.bounces.map((b) => b.condition)).toEqual(['remote-server-timeout'])
    expect(n1.events.some((e) => e.type === 'redis-unavailable')).toBe(true)
  })
})
