import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { createFederation, type Federation, xml } from '@xmpp-federation/router'
import {
  createTestCA,
  createWorkdir,
  type RedisServer,
  startRedis,
  type Workdir,
  writeCertificateFiles,
} from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisCluster } from '../src/index.js'
import { clusterEvents, eventually, NODE_IPS, REDIS_HOST, simulateCrash } from './helpers.js'

// The same cluster on a real three-master Redis Cluster: every pair's keys in one slot (hash
// tags), sharded pub/sub between the nodes, and keys spread over the masters.
const run = promisify(execFile)
const PORTS = [6390, 6391, 6392]
const LEASE_MS = 1_500

describe('federation nodes on a Redis Cluster', () => {
  let workdir: Workdir
  let masters: RedisServer[] = []
  let tlsFor: (domain: string) => { cert: string; key: string; ca: string[]; systemCa: false }
  const running: Federation[] = []

  beforeAll(async () => {
    workdir = await createWorkdir()
    for (const port of PORTS) {
      masters.push(
        await startRedis({
          workdir,
          host: REDIS_HOST,
          port,
          name: `redis-${port}`,
          // Announced, or the others learn 127.0.0.1 (the source address of loopback connections).
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-announce-ip',
            REDIS_HOST,
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      )
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...PORTS.map((port) => `${REDIS_HOST}:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    )
    await eventually(async () => {
      for (const port of PORTS) {
        const { stdout } = await run('redis-cli', ['-h', REDIS_HOST, '-p', String(port), 'CLUSTER', 'INFO'])
        expect(stdout).toContain('cluster_state:ok')
      }
    }, 20_000)
    const dir = await workdir.subdir('certs')
    const ca = await createTestCA()
    await writeFile(path.join(dir, 'ca.crt'), ca.certPem)
    for (const domain of ['c.test', 'd.test']) {
      await writeCertificateFiles(dir, domain, await ca.issue({ dnsNames: [domain] }))
    }
    tlsFor = (domain) => ({
      cert: path.join(dir, `${domain}.crt`),
      key: path.join(dir, `${domain}.key`),
      ca: [path.join(dir, 'ca.crt')],
      systemCa: false,
    })
  }, 60_000)
  afterAll(async () => {
    for (const federation of running.reverse()) await federation.stop().catch(() => undefined)
    for (const master of masters) await master.stop()
    masters = []
    await workdir?.cleanup()
  })

  it('forwards, answers iq across nodes and takes a dead owner’s pair over, with keys on several masters', async () => {
    const d = createFederation({
      config: {
        domains: ['d.test'],
        listen: [{ host: NODE_IPS.n3, port: 5269 }],
        tls: tlsFor('d.test'),
        routes: { 'c.test': [{ host: NODE_IPS.n1, port: 5269 }] },
      },
      logger: false,
    })
    running.push(d)
    const received: Element[] = []
    d.on('stanza', (stanza) => received.push(stanza))
    await d.start()
    const nodes = (['n1', 'n2'] as const).map((nodeId) => {
      const cluster = new RedisCluster({
        url: `redis://${REDIS_HOST}:${PORTS[0]}`,
        redisCluster: true,
        nodeId,
        leaseMs: LEASE_MS,
        prefix: 'rc',
      })
      const federation = createFederation({
        config: {
          domains: ['c.test'],
          listen: [{ host: NODE_IPS[nodeId], port: 5269 }],
          tls: tlsFor('c.test'),
          routes: { 'd.test': [{ host: NODE_IPS.n3, port: 5269 }] },
          dialback: { secret: 'one-secret-for-the-whole-test-cluster' },
          streams: { bidi: false },
        },
        cluster,
        logger: false,
      })
      running.push(federation)
      return { federation, cluster }
    })
    const [n1, n2] = nodes as [(typeof nodes)[0], (typeof nodes)[0]]
    const events2 = clusterEvents(n2.federation)
    await n1.federation.start()
    await n2.federation.start()
    const send = (node: typeof n1, id: string) =>
      node.federation.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test', id }, xml('body', {}, id)))

    await send(n1, 'rc-1')
    await send(n2, 'rc-2')
    await eventually(() => expect(received.map((s) => s.attrs.id)).toEqual(['rc-1', 'rc-2']))
    // d.test answers over its own stream to n1: the answer crosses to n2 by sharded pub/sub.
    expect(await n2.federation.ping('c.test', 'd.test', 10_000)).toBeGreaterThan(0)

    const keyCounts = await Promise.all(
      PORTS.map(async (port) =>
        Number((await run('redis-cli', ['-h', REDIS_HOST, '-p', String(port), 'DBSIZE'])).stdout),
      ),
    )
    expect(keyCounts.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2)

    await simulateCrash(n1.federation, n1.cluster)
    running.splice(running.indexOf(n1.federation), 1)
    await send(n2, 'rc-3')
    await eventually(() => expect(received.map((s) => s.attrs.id)).toContain('rc-3'))
    expect(events2).toContainEqual(expect.objectContaining({ type: 'takeover', from: 'n1' }))
  })
})
