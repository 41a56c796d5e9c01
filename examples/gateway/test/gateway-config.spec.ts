import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError } from '@xmpp-federation/config'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadGatewayConfig } from '../src/gateway-config.js'

describe('the gateway config file with a cluster section', () => {
  let dir: string
  const write = async (name: string, text: string) => {
    const file = path.join(dir, name)
    await writeFile(file, text)
    return file
  }
  const base = {
    domains: ['chat.example.com'],
    security: { tls: 'none', dialback: true, requireValidCertificate: false },
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gateway-config-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('takes the cluster object out: Redis URL and node id for redisCluster, node id as config.node', async () => {
    const file = await write(
      'a.json',
      JSON.stringify({
        ...base,
        dialback: { secret: 'x'.repeat(32) },
        cluster: { redis: 'redis://10.0.0.5:6379', nodeId: 'gw-1', leaseMs: 5000, name: 'eu' },
      }),
    )
    const { config, cluster } = await loadGatewayConfig(file)
    expect(cluster).toEqual({ redis: 'redis://10.0.0.5:6379', nodeId: 'gw-1', leaseMs: 5000, name: 'eu' })
    expect(config.node).toBe('gw-1')
    expect(config.cluster).toBe('eu')
  })

  it('reads YAML too, and resolves certificate paths against the file', async () => {
    const file = await write(
      'b.yaml',
      'domains: [chat.example.com]\ntls: { cert: certs/c.crt, key: certs/c.key }\ncluster: { redis: "redis://r:6379", nodeId: gw-2 }\n',
    )
    const { config, cluster } = await loadGatewayConfig(file)
    expect(cluster?.nodeId).toBe('gw-2')
    expect(config.tls.cert).toBe(path.join(dir, 'certs/c.crt'))
  })

  it('leaves a file without a cluster object to the config loader (a name string stays a name)', async () => {
    const file = await write(
      'c.json',
      JSON.stringify({ ...base, dialback: { secret: 'y'.repeat(32) }, cluster: 'eu' }),
    )
    const { config, cluster } = await loadGatewayConfig(file)
    expect(cluster).toBeUndefined()
    expect(config.cluster).toBe('eu')
  })

  it('names each bad cluster setting', async () => {
    const file = await write(
      'd.json',
      JSON.stringify({ ...base, cluster: { redis: 'localhost', nodeId: 'has space', lease: 1 } }),
    )
    const error = await loadGatewayConfig(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    const paths = (error as ConfigError).issues.map((issue) => issue.path)
    expect(paths).toEqual(['cluster.redis', 'cluster.nodeId', 'cluster.lease'])
  })
})
