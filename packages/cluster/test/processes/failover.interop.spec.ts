import type { BurstResult, ClusterNode, ClusterNodeEvent } from '@xmpp-federation/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClusterScenario,
  LEASE_MS,
  messageTo,
  NODE_IDS,
  type NodeId,
  SOURCE,
  startClusterScenario,
} from './cluster-scenario.js'
import { ledgerOf, writerRuns } from './deliveries.js'
import { printLedger } from './ledger-report.js'

// Three library nodes of c.test in separate processes, one Redis, one Prosody (a.test) whose
// user alice receives everything. Every verdict is taken on alice's side: which ids arrived,
// how often, from which node (source address) and when (Prosody's clock).
describe('a three-node cluster when nodes die, pause and restart', () => {
  let cluster: ClusterScenario

  beforeAll(async () => {
    cluster = await startClusterScenario()
  }, 60_000)
  afterEach(async () => {
    await Promise.allSettled([...cluster.nodes.values()].map((node) => node.stop()))
    cluster.nodes.clear()
  })
  afterAll(async () => {
    await cluster?.cleanup()
  })

  async function startAll(): Promise<void> {
    for (const id of NODE_IDS) await cluster.startNode(id)
  }

  /** Makes some node own c.test → a.test (the first send claims it) and says which. */
  async function establishOwner(prefix: string): Promise<NodeId> {
    expect(await cluster.node('node-1').send(messageTo(`${prefix}-warmup`))).toMatchObject({
      outcome: 'written',
    })
    await cluster.deliveries.waitForIds([`${prefix}-warmup`], 15_000)
    const owner = await cluster.owner()
    expect(owner).toBeDefined()
    // The peer agrees: the warm-up came from the owner's address.
    expect(cluster.deliveries.of(`${prefix}-warmup`)[0]!.ip).toBe(SOURCE[owner!])
    return owner!
  }

  const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`)
  const clusterEvents = (node: ClusterNode, type: string) =>
    node.events.filter((e: ClusterNodeEvent) => e.name === 'cluster' && e.data.type === type)

  it('owner SIGKILLed mid-stream: a survivor takes over and alice gets every stanza at least once', async () => {
    await startAll()
    const owner = await establishOwner('kill')
    const survivors = NODE_IDS.filter((id) => id !== owner)
    const count = 120
    const bursts: Promise<BurstResult>[] = survivors.map((id) =>
      cluster.node(id).burst({
        from: 'bot@c.test',
        to: 'alice@a.test',
        count,
        concurrency: 4,
        intervalMs: 20,
        bodyPrefix: `kill-${id}-`,
      }),
    )
    // Kill once stanzas are flowing through the owner.
    await waitUntil(() => cluster.deliveries.of('kill-node').length >= 40, 15_000)
    const killedAt = Date.now()
    cluster.node(owner).signal('SIGKILL')
    const results = await Promise.all(bursts)

    const sent = survivors.flatMap((id) => ids(`kill-${id}-`, count))
    const bounced = new Set(results.flatMap((r) => r.bouncedIds))
    const written = sent.filter((id) => !bounced.has(id))
    await cluster.deliveries.waitForIds(written, 30_000)
    await sleep(1_000) // late duplicates
    const mine = cluster.deliveries.of('kill-node')
    const ledger = ledgerOf(sent, bounced, mine)
    const afterKill = mine.filter((d) => d.atMs > killedAt && d.ip !== SOURCE[owner])
    const failoverMs =
      afterKill.length > 0 ? Math.min(...afterKill.map((d) => d.atMs)) - killedAt : Number.NaN
    const takeovers = survivors.flatMap((id) => clusterEvents(cluster.node(id), 'takeover'))
    printLedger('owner SIGKILLed', ledger, {
      failoverMs: Math.round(failoverMs),
      resent: takeovers.reduce((n, e) => n + Number(e.data.resent ?? 0), 0),
    })

    expect(ledger.unaccounted).toBe(0)
    expect(ledger.delivered + ledger.bounced).toBe(ledger.sent)
    expect(ledger.delivered).toBeGreaterThanOrEqual(written.length)
    expect(takeovers.length).toBeGreaterThanOrEqual(1)
    const newOwner = await cluster.owner()
    expect(survivors).toContain(newOwner)
  }, 90_000)

  it('rolling restart with graceful stops: ownership is handed over, nothing bounces', async () => {
    await startAll()
    await establishOwner('roll')
    const sent: string[] = []
    const bounced = new Set<string>()
    let restarting: NodeId | undefined
    let sending = true
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const from = NODE_IDS.filter(
          (id) => id !== restarting && cluster.nodes.get(id)?.exitReason() === undefined,
        )
        const node = cluster.nodes.get(from[i % from.length]!)
        if (!node) continue
        const id = `roll-${i}`
        sent.push(id)
        const outcome = await node.send(messageTo(id)).catch((error: Error) => ({ outcome: 'lost', error }))
        if (outcome.outcome !== 'written') bounced.add(id)
        await sleep(15)
      }
    })()
    const handovers: ClusterNodeEvent[] = []
    for (const id of NODE_IDS) {
      restarting = id
      await sleep(200) // sends already on their way to this node settle first
      const old = cluster.node(id)
      await old.stop()
      handovers.push(...clusterEvents(old, 'handover'))
      await cluster.startNode(id)
      restarting = undefined
      await sleep(500)
    }
    sending = false
    await sender
    await cluster.deliveries.waitForIds(
      sent.filter((id) => !bounced.has(id)),
      20_000,
    )
    await sleep(500)
    const ledger = ledgerOf(sent, bounced, cluster.deliveries.of('roll-'))
    const takeovers = [...cluster.nodes.values()].flatMap((node) => clusterEvents(node, 'takeover'))
    printLedger('rolling restart', ledger, { handovers: handovers.length, takeovers: takeovers.length })

    expect(ledger.bounced + ledger.bouncedButDelivered).toBe(0)
    expect(ledger.unaccounted).toBe(0)
    // Each graceful stop of the owner handed its lease over instead of letting it expire.
    expect(handovers.length).toBeGreaterThanOrEqual(1)
    // ...and no pair changed hands by a lease running out.
    expect(takeovers).toEqual([])
  }, 90_000)

  it('owner paused past its lease, then resumed: it stops writing; never two writers at once', async () => {
    await startAll()
    const owner = await establishOwner('pause')
    const survivors = NODE_IDS.filter((id) => id !== owner)
    const count = 150
    const bursts = survivors.map((id) =>
      cluster.node(id).burst({
        from: 'bot@c.test',
        to: 'alice@a.test',
        count,
        concurrency: 2,
        intervalMs: 30,
        bodyPrefix: `pause-${id}-`,
      }),
    )
    await waitUntil(() => cluster.deliveries.of('pause-node').length >= 20, 15_000)
    const paused = cluster.node(owner)
    paused.signal('SIGSTOP')
    await sleep(LEASE_MS * 3)
    paused.signal('SIGCONT')
    const results = await Promise.all(bursts)
    const sent = survivors.flatMap((id) => ids(`pause-${id}-`, count))
    const bounced = new Set(results.flatMap((r) => r.bouncedIds))
    await cluster.deliveries.waitForIds(
      sent.filter((id) => !bounced.has(id)),
      30_000,
    )
    await sleep(1_000)
    const mine = cluster.deliveries.of('pause-node')
    const runs = writerRuns(mine)
    printLedger('owner paused past its lease', ledgerOf(sent, bounced, mine), {
      writers: runs.map((r) => `${cluster.nodeOfSource(r.ip)}×${r.count}`).join('→'),
    })

    // The resumed node learnt that its epoch is stale...
    await paused.waitForEvent((e) => e.name === 'cluster' && e.data.type === 'lease-lost', 10_000)
    // ...and Prosody saw the old owner, then the new one, and never the old one again.
    expect(runs[0]!.ip).toBe(SOURCE[owner])
    expect(runs.length).toBe(2)
    expect(survivors.map((id) => SOURCE[id])).toContain(runs[1]!.ip)
    expect(ledgerOf(sent, bounced, mine).unaccounted).toBe(0)
  }, 90_000)
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
