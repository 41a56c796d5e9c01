import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { run } from '@xmpp-federation/cli'
import {
  type CertScenario,
  type RedisServer,
  spawnManaged,
  startCertScenario,
  startRedis,
  stopAllPeers,
  type XmppUser,
} from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GatewayClient } from '../src/api-client.js'

// Two gateway processes (`pnpm gateway --config …`) with the same federation settings and
// different cluster nodeIds serve c.test together; a Prosody user on a.test gets what either
// one's HTTP API sends.
const REDIS = { host: '127.0.0.195', port: 6396 }
const PROSODY_IP = '127.0.0.196'
const GATEWAYS = [
  { nodeId: 'gw-1', host: '127.0.0.197' },
  { nodeId: 'gw-2', host: '127.0.0.198' },
]
const HTTP_PORT = 18_480
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url))

describe('two gateway processes serving one domain as a cluster', () => {
  let scenario: CertScenario
  let redis: RedisServer
  let alice: XmppUser
  const clients: GatewayClient[] = []

  beforeAll(async () => {
    scenario = await startCertScenario({
      domain: 'a.test',
      ip: PROSODY_IP,
      ours: { 'c.test': GATEWAYS[0]!.host },
    })
    redis = await startRedis({ workdir: scenario.workdir, host: REDIS.host, port: REDIS.port })
    alice = await scenario.login('alice')
    const files = await scenario.filesFor('c.test')
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
    for (const gateway of GATEWAYS) {
      const file = path.join(scenario.workdir.path, `${gateway.nodeId}.json`)
      await writeFile(
        file,
        JSON.stringify({
          domains: ['c.test'],
          listen: [{ host: gateway.host, port: 5269 }],
          tls: { cert: files.cert, key: files.key, ca: [files.ca], systemCa: false },
          routes: { 'a.test': [{ host: PROSODY_IP }] },
          dialback: { secret: 'one-secret-for-every-gateway-of-the-cluster' },
          http: { host: gateway.host, port: HTTP_PORT },
          cluster: { redis: `redis://${REDIS.host}:${REDIS.port}`, nodeId: gateway.nodeId, leaseMs: 2_000 },
        }),
      )
      await spawnManaged({
        name: `gateway ${gateway.nodeId}`,
        command: process.execPath,
        args: ['--import', tsx, main, '--config', file],
        consoleLogPath: path.join(scenario.workdir.path, `${gateway.nodeId}.log`),
        env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      })
      const client = new GatewayClient(`http://${gateway.host}:${HTTP_PORT}`)
      await waitForHealth(client.url)
      clients.push(client)
    }
  }, 90_000)

  afterAll(async () => {
    await stopAllPeers()
    await redis?.stop()
    await scenario?.cleanup()
  })

  it('delivers what either gateway is asked to send', async () => {
    for (const [index, client] of clients.entries()) {
      const body = `via ${GATEWAYS[index]!.nodeId}`
      await client.sendMessage({ from: 'bot@c.test', to: 'alice@a.test', body })
      const got = await alice.nextStanza(
        (s) => s.name === 'message' && s.getChildText('body') === body,
        15_000,
      )
      expect(got.attrs.from).toMatch(/^bot@c\.test/)
    }
  }, 60_000)

  it('each status shows both nodes with one fingerprint and one owner for the pair', async () => {
    type ClusterSection = {
      nodeId: string
      fingerprint: string
      nodes: { nodeId: string; fingerprint: string }[]
      leases: { remote: string; owner: string }[]
    }
    const read = async () =>
      (await Promise.all(clients.map((client) => client.status()))).map(
        (status) => (status as { cluster?: ClusterSection }).cluster!,
      )
    // The cluster section is a snapshot refreshed on each heartbeat: wait for the lease to show.
    let clusters = await read()
    for (let i = 0; i < 30 && !clusters.every((c) => c.leases.some((l) => l.remote === 'a.test')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      clusters = await read()
    }
    expect(clusters.map((c) => c.nodeId)).toEqual(['gw-1', 'gw-2'])
    expect(clusters[0]!.fingerprint).toBe(clusters[1]!.fingerprint)
    for (const cluster of clusters) {
      expect(cluster.nodes.map((n) => n.nodeId).sort()).toEqual(['gw-1', 'gw-2'])
    }
    const owners = clusters.flatMap((c) => c.leases.filter((l) => l.remote === 'a.test').map((l) => l.owner))
    expect(new Set(owners).size).toBe(1)
  }, 30_000)

  it('`xmpp-federation status URL` shows the cluster: both nodes, the owner of the pair', async () => {
    let stdout = ''
    const code = await run(['status', clients[1]!.url], {
      stdout: (text) => {
        stdout += text
      },
      stderr: () => {},
      cwd: process.cwd(),
      color: false,
      width: 120,
    })
    expect(code, stdout).toBe(0)
    expect(stdout).toMatch(/^cluster: this is node gw-2 \(config [0-9a-f]{12}…\); 2 of 2 nodes alive$/m)
    expect(stdout).toMatch(/^ {2}✔ gw-1 +yes +yes +[0-9a-f]{12}… /m)
    expect(stdout).toMatch(/^ {2}✔ gw-2 \(this node\) +yes +yes /m)
    expect(stdout).toMatch(/^ {4}c\.test → a\.test +gw-[12]( \(this node\))? +\d+ +in \d+\.\d s$/m)
    if (process.env.RECORD_CLUSTER_STATUS) {
      await writeFile(process.env.RECORD_CLUSTER_STATUS, JSON.stringify(await clients[1]!.status(), null, 2))
    }
  }, 30_000)
})

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up in 30 s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
