import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareConfigFiles, isSecretPath, maskSecret } from '../src/index.js'
import { type ConfigBench, createConfigBench } from './fixtures.js'

// Crafted configurations of two clusters. Node-local settings (listen, tls paths, dns.servers)
// differ everywhere on purpose: only the cluster-wide settings may show up as differences.

const SECRET_EAST = 'east-secret-0123456789abcdef'
const SECRET_WEST = 'west-secret-0123456789abcdef'

const node = (cluster: string, name: string, overrides: Record<string, unknown> = {}) => ({
  cluster,
  node: name,
  domains: ['c.test'],
  listen: [{ host: `10.0.0.${name.length}`, port: 5269 }],
  tls: { cert: `/etc/${name}/c.crt`, key: `/etc/${name}/c.key` },
  dns: { servers: [`192.0.2.${name.length}`] },
  dialback: { secret: SECRET_EAST },
  policy: { deny: ['spam.test'] },
  ...overrides,
})

describe('compareConfigFiles', () => {
  let bench: ConfigBench
  beforeAll(async () => {
    bench = await createConfigBench()
  })
  afterAll(() => bench.cleanup())

  const files = (...configs: object[]) =>
    Promise.all(
      configs.map((config, index) => bench.configFile(`node-${index}-${Math.random()}.json`, config)),
    )

  it('names exactly the differing cluster-wide settings, with each cluster value, never a secret', async () => {
    const report = await compareConfigFiles(
      await files(
        node('east', 'imp-1'),
        node('east', 'imp-2a'),
        node('west', 'imp-3', {
          security: { tls: 'opportunistic' },
          policy: { deny: ['spam.test', 'junk.test'] },
          dialback: { secret: SECRET_WEST },
        }),
      ),
    )
    expect(report.ok).toBe(false)
    expect(report.comparison.differences.map((difference) => difference.path)).toEqual([
      'dialback.secret',
      'policy.deny',
      'security.tls',
    ])
    expect(report.comparison.differences.find((d) => d.path === 'security.tls')?.values).toEqual([
      { cluster: 'east', nodes: ['imp-1', 'imp-2a'], value: 'required' },
      { cluster: 'west', nodes: ['imp-3'], value: 'opportunistic' },
    ])
    const secrets = report.comparison.differences.find((d) => d.path === 'dialback.secret')!.values
    for (const { value } of secrets) expect(value).toMatch(/^sha256:[0-9a-f]{12}…$/)
    const text = JSON.stringify(report)
    expect(text).not.toContain(SECRET_EAST)
    expect(text).not.toContain(SECRET_WEST)
    expect(report.comparison.problems.map((problem) => problem.code)).toEqual(['CLUSTER_CONFIG_DIFFERS'])
    expect(report.files.map(({ cluster, node }) => `${cluster}/${node}`)).toEqual([
      'east/imp-1',
      'east/imp-2a',
      'west/imp-3',
    ])
  })

  it('identical settings on every node of every cluster: ok, one fingerprint', async () => {
    const report = await compareConfigFiles(await files(node('east', 'imp-1'), node('west', 'imp-3')))
    expect(report.ok).toBe(true)
    expect(new Set(report.files.map((file) => file.fingerprint)).size).toBe(1)
  })

  it('a cluster without a node that runs federation: NO_FEDERATION_NODE', async () => {
    const report = await compareConfigFiles(
      await files(node('east', 'imp-1'), node('west', 'imp-3', { enabled: false })),
    )
    expect(report.ok).toBe(false)
    expect(report.comparison.differences).toEqual([])
    expect(report.comparison.problems).toEqual([
      expect.objectContaining({ code: 'NO_FEDERATION_NODE', cluster: 'west' }),
    ])
  })

  it('two nodes of one cluster that disagree: NODE_CONFIG_DIFFERS', async () => {
    const report = await compareConfigFiles(
      await files(node('east', 'imp-1'), node('east', 'imp-2', { queue: { maxStanzas: 10 } })),
    )
    expect(report.comparison.differences.map((d) => d.path)).toEqual(['queue.maxStanzas'])
    expect(report.comparison.problems.map((p) => p.code)).toEqual(['NODE_CONFIG_DIFFERS'])
  })

  it('a file that does not load is reported, and the others are still compared', async () => {
    const [good] = await files(node('east', 'imp-1'))
    const broken = await bench.configFile('broken.json', { domains: [] })
    const report = await compareConfigFiles([good!, broken])
    expect(report.ok).toBe(false)
    expect(report.unreadable).toEqual([{ file: broken, message: expect.stringContaining('domains') }])
    expect(report.files).toHaveLength(1)
  })

  it('masks only secret settings', () => {
    expect(isSecretPath('dialback.secret')).toBe(true)
    expect(isSecretPath('policy.deny')).toBe(false)
    expect(maskSecret('sha256:0123456789abcdef0123')).toBe('sha256:0123456789ab…')
    expect(maskSecret(undefined)).toBeUndefined()
    expect(maskSecret('clear-text')).toBe('<secret>')
  })
})
