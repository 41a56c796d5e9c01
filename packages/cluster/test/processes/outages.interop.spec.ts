import type { ClusterNode, ClusterNodeEvent, SendOutcome } from '@xmpp-federation/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClusterScenario,
  LEASE_MS,
  messageTo,
  NODE_IDS,
  type NodeId,
  QUEUE_TTL_MS,
  SOURCE,
  startClusterScenario,
} from './cluster-scenario.js'
import { ledgerOf, writerRuns } from './deliveries.js'
import { printLedger } from './ledger-report.js'

// Redis lost and restarted empty, order across an owner change, iq answers that come back to
// another node, and a node whose configuration differs. Same cluster as failover.interop.spec.ts.
describe('a three-node cluster through Redis loss, owner changes, answers and misconfiguration', () => {
  let cluster: ClusterScenario

  beforeAll(async () => {
    cluster = await startClusterScenario()
    for (const id of NODE_IDS) await cluster.startNode(id)
  }, 60_000)
  afterEach(async () => {
    // Each test leaves three running nodes behind for the next.
    for (const id of NODE_IDS)
      if (cluster.nodes.get(id)?.exitReason() !== undefined) await cluster.startNode(id)
  })
  afterAll(async () => {
    await cluster?.cleanup()
  })

  const clusterEvents = (node: ClusterNode, type: string) =>
    node.events.filter((e: ClusterNodeEvent) => e.name === 'cluster' && e.data.type === type)

  it('Redis restarted empty: owners re-claim without a storm of links; sends settle within the queue TTL', async () => {
    expect(await cluster.node('node-2').send(messageTo('redis-warmup'))).toMatchObject({ outcome: 'written' })
    await cluster.deliveries.waitForIds(['redis-warmup'], 15_000)
    const linksBefore = cluster.connections()

    const sent: string[] = []
    const outcomes = new Map<string, SendOutcome>()
    let sending = true
    // A send that has not settled after twice the TTL is recorded as stuck (and waited for no longer).
    const stuck: string[] = []
    const senders = NODE_IDS.map(async (id, lane) => {
      for (let i = 0; sending; i++) {
        const msg = `redis-${lane}-${i}`
        sent.push(msg)
        const outcome = await Promise.race([cluster.node(id).send(messageTo(msg)), sleep(2 * QUEUE_TTL_MS)])
        if (outcome) outcomes.set(msg, outcome)
        else stuck.push(`${msg} on ${id}`)
        await sleep(25)
      }
    })
    await sleep(500)
    await cluster.redis.restart()
    await sleep(LEASE_MS * 3)
    sending = false
    await Promise.all(senders)

    expect(stuck, 'sends that never settled').toEqual([])
    const bounced = new Set([...outcomes].filter(([, o]) => o.outcome === 'bounced').map(([id]) => id))
    await cluster.deliveries.waitForIds(
      sent.filter((id) => !bounced.has(id)),
      QUEUE_TTL_MS + 10_000,
    )
    await sleep(1_000)
    const mine = cluster.deliveries.of('redis-')
    const ledger = ledgerOf(sent, bounced, mine)
    const linksAfter = cluster.connections()
    const newLinks = NODE_IDS.reduce((n, id) => n + linksAfter[id] - linksBefore[id], 0)
    const slowest = Math.max(...[...outcomes.values()].map((o) => o.ms))
    for (const [id, o] of outcomes) {
      if (o.outcome === 'bounced' || o.ms > LEASE_MS * 2)
        console.log(
          `[slow or bounced] ${id} ${JSON.stringify(o)} delivered=${mine.filter((d) => d.id === id).map((d) => cluster.nodeOfSource(d.ip))}`,
        )
    }
    printLedger('Redis restarted empty', ledger, {
      newLinks,
      slowestSettleMs: Math.round(slowest),
      writers: writerRuns(mine)
        .map((r) => `${cluster.nodeOfSource(r.ip)}×${r.count}`)
        .join('→'),
    })

    expect(ledger.unaccounted).toBe(0)
    // Every send settled, written or bounced, within the queue TTL (plus scheduling slack).
    expect(slowest).toBeLessThan(QUEUE_TTL_MS + 2_000)
    // One new owner dials once: not a link per node, not a link per retry.
    expect(newLinks).toBeLessThanOrEqual(2)
    // ...and the writers follow one another: never back and forth between two nodes.
    expect(writerRuns(mine).length).toBeLessThanOrEqual(2)
    for (const id of NODE_IDS) {
      expect(clusterEvents(cluster.node(id), 'redis-unavailable').length).toBeGreaterThanOrEqual(1)
      expect(clusterEvents(cluster.node(id), 'redis-restored').length).toBeGreaterThanOrEqual(1)
    }
    expect(await cluster.owner()).toBeDefined()
  }, 90_000)

  it('keeps per-sender order across an owner change (first arrivals; resends aside)', async () => {
    const owner = (await cluster.owner()) ?? 'node-1'
    const sender = NODE_IDS.find((id) => id !== owner)!
    const count = 150
    const burst = cluster.node(sender).burst({
      from: 'bot@c.test',
      to: 'alice@a.test',
      count,
      concurrency: 4,
      intervalMs: 10,
      bodyPrefix: 'order-',
    })
    await waitUntil(() => cluster.deliveries.of('order-').length >= 30, 15_000)
    cluster.node(owner).signal('SIGKILL')
    const result = await burst
    const sent = Array.from({ length: count }, (_, i) => `order-${i}`)
    const bounced = new Set(result.bouncedIds)
    await cluster.deliveries.waitForIds(
      sent.filter((id) => !bounced.has(id)),
      30_000,
    )
    await sleep(500)
    const mine = [...cluster.deliveries.of('order-')].sort((a, b) => a.atMs - b.atMs)
    const firstArrivals: number[] = []
    const seen = new Set<string>()
    for (const d of mine) {
      if (seen.has(d.id)) continue
      seen.add(d.id)
      firstArrivals.push(Number(d.id.slice('order-'.length)))
    }
    const outOfOrder = firstArrivals.filter((n, i) => i > 0 && n < firstArrivals[i - 1]!).length
    printLedger('order across an owner change', ledgerOf(sent, bounced, mine), { outOfOrder })
    expect(firstArrivals).toEqual([...firstArrivals].sort((a, b) => a - b))
  }, 90_000)

  it('an iq answer that reaches another node resolves request() on the node that asked', async () => {
    // Prosody answers by dialling c.test, which its hosts file puts at node-2's address.
    const asker = cluster.node('node-1')
    const answer = await asker.request(
      '<iq type="get" from="c.test" to="a.test"><ping xmlns="urn:xmpp:ping"/></iq>',
      15_000,
    )
    expect(answer).toMatch(/^<iq [^>]*type="result"/)
    // It came in on node-2: an inbound stream from a.test there, none on the asker.
    const inbound = (node: ClusterNode) =>
      node.events.some(
        (e) => e.name === 'session' && e.data.direction === 'inbound' && e.data.remote === 'a.test',
      )
    expect(inbound(cluster.node('node-2'))).toBe(true)
    expect(inbound(asker)).toBe(false)
  }, 30_000)

  it('refuses a node whose configuration differs, naming the setting', async () => {
    await cluster.node('node-3').stop()
    const refused = await cluster
      .startNode('node-3', { policy: { mode: 'denylist', deny: ['spam.test'] } })
      .catch((error: Error) => error)
    console.log(`[config] ${(refused as Error).message}`)
    expect(refused).toBeInstanceOf(Error)
    expect((refused as Error).message).toMatch(/ConfigError[\s\S]*policy/)
    const others: NodeId[] = ['node-1', 'node-2']
    for (const id of others) expect(cluster.node(id).exitReason()).toBeUndefined()
    expect(SOURCE['node-3']).toBeDefined()
  }, 30_000)
})

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`)
    await sleep(50)
  }
}
