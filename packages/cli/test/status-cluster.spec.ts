import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './cli-harness.js'

// Recorded: what gateway gw-2 of a two-gateway cluster served at /api/status
// (examples/gateway/test/clustered-gateways.interop.spec.ts with RECORD_CLUSTER_STATUS set).
const recorded = new URL('./fixtures/cluster-status.recorded.json', import.meta.url)
// Written by hand in the same shape, for what a healthy run rarely shows: a dead node with
// another config, an expired lease, a non-empty outbox.
const edgeCases = new URL('./fixtures/cluster-status.edge-cases.json', import.meta.url)

describe('status of a cluster node', () => {
  let server: Server
  let url: string
  let document: string

  beforeAll(async () => {
    document = await readFile(edgeCases, 'utf8')
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(document)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('renders a recorded status: both nodes, one fingerprint, the lease of the pair and its owner', async () => {
    const saved = document
    document = await readFile(recorded, 'utf8')
    try {
      const result = await runCli(['status', url])
      expect(result.code, result.stdout).toBe(0)
      const lines = result.stdout.split('\n')
      expect(lines).toContain('cluster: this is node gw-2 (config a6d77c5c282e…); 2 of 2 nodes alive')
      expect(lines).toContain('  ✔ gw-1              yes    yes        a6d77c5c282e…  0.3 s ago')
      expect(lines).toContain('  ✔ gw-2 (this node)  yes    yes        a6d77c5c282e…  0.0 s ago')
      expect(lines).toContain('    c.test → a.test  gw-1   1796527256890  in 1.7 s')
      expect(lines).toContain('  every outbox is empty')
    } finally {
      document = saved
    }
  })

  it('lists nodes with their fingerprints, leases with owner and epoch, and waiting outboxes', async () => {
    const result = await runCli(['status', url])
    expect(result.code, result.stdout).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines).toContain('cluster: this is node node-1 (config 9f2c41d07be3…); 2 of 3 nodes alive')
    expect(lines).toContain('    NODE                ALIVE  FEDERATES  CONFIG                   LAST SEEN')
    expect(lines).toContain('  ✔ node-1 (this node)  yes    yes        9f2c41d07be3…            0.1 s ago')
    expect(lines).toContain('  ✖ node-3              no     no         0b77aa3190c2… (differs)  9.5 s ago')
    expect(lines).toContain('    c.test → a.test  node-1 (this node)  7      in 1.4 s')
    expect(lines).toContain('    c.test → b.test  node-2              3      expired')
    expect(lines).toContain('    c.test → b.test  5')
    expect(result.stdout).not.toContain('c.test → a.test  0')
  })

  it('carries the cluster section in --json', async () => {
    const json = (await runCli(['status', url, '--json'])).json() as { cluster?: unknown }
    expect(json.cluster).toMatchObject({
      nodeId: 'node-1',
      nodes: expect.arrayContaining([expect.objectContaining({ nodeId: 'node-3', alive: false })]),
      leases: [expect.objectContaining({ owner: 'node-1', epoch: 7 }), expect.anything()],
      outbox: expect.arrayContaining([{ local: 'c.test', remote: 'b.test', depth: 5 }]),
    })
  })

  it('says nothing about a cluster for a single-node status', async () => {
    const single = JSON.parse(document) as Record<string, unknown>
    delete single.cluster
    document = JSON.stringify(single)
    const result = await runCli(['status', url])
    expect(result.stdout).not.toContain('cluster')
    expect((await runCli(['status', url, '--json'])).json()).not.toHaveProperty('cluster')
  })
})
