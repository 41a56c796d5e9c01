import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClusterScenario,
  messageTo,
  NODE_IDS,
  SOURCE,
  startClusterScenario,
} from './cluster-scenario.js'

// The failover tests judge the cluster by what Prosody saw: which source address (node) wrote
// each message, and when. This checks that instrument with three independent nodes first.
describe('the peer side tells the nodes apart', () => {
  let cluster: ClusterScenario

  beforeAll(async () => {
    cluster = await startClusterScenario()
  })
  afterAll(async () => {
    await cluster?.cleanup()
  })

  it('stamps each message with the source address of the node that wrote it', async () => {
    const nodes = await Promise.all(NODE_IDS.map((id) => cluster.startNode(id, {}, true)))
    const outcomes = await Promise.all(nodes.map((node) => node.send(messageTo(`inst-${node.nodeId}`))))
    for (const outcome of outcomes) expect(outcome).toMatchObject({ outcome: 'written' })
    await cluster.deliveries.waitForIds(
      NODE_IDS.map((id) => `inst-${id}`),
      15_000,
    )
    for (const id of NODE_IDS) {
      const [delivery] = cluster.deliveries.of(`inst-${id}`)
      expect(delivery?.ip).toBe(SOURCE[id])
      expect(cluster.nodeOfSource(delivery!.ip)).toBe(id)
      expect(delivery!.atMs).toBeGreaterThan(Date.now() - 60_000)
    }
  }, 60_000)
})
