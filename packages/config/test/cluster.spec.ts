import { describe, expect, it } from 'vitest'
import {
  canonicalFederationSettings,
  compareClusters,
  type FederationConfigInput,
  fingerprint,
  parseConfig,
  secretFingerprint,
} from '../src/index.js'

const SECRET = 'correct-horse-battery-staple'

/** The shared settings of the deployment, plus whatever one node adds or changes. */
function node(overrides: Partial<FederationConfigInput> & { policy?: Record<string, unknown> } = {}) {
  const { policy, ...rest } = overrides
  return parseConfig({
    domains: ['c.test', 'd.test'],
    dialback: { secret: SECRET },
    policy: { deny: ['spam.test', '*.bad.test'], domains: { 'a.test': { tls: 'opportunistic' } }, ...policy },
    ...rest,
  } as FederationConfigInput)
}

describe('compareClusters', () => {
  it('finds two clusters identical when only node-local settings differ', () => {
    const result = compareClusters([
      {
        config: node({
          cluster: 'east',
          node: 'imp-1',
          listen: [{ host: '127.0.0.4' }],
          tls: { cert: 'c.crt', key: 'c.key' },
          security: { tls: 'required' },
        }),
      },
      {
        config: node({
          cluster: 'east',
          node: 'imp-2',
          enabled: false,
          tls: { cert: '/etc/a.crt', key: '/etc/a.key', ca: ['/etc/ca.crt'] },
          listen: [{ host: '127.0.0.4', port: 5270, directTls: true }],
        }),
      },
      {
        config: node({
          cluster: 'west',
          node: 'imp-3',
          http: { port: 9000 },
          dns: { servers: ['127.0.0.1:5353'] },
        }),
      },
    ])
    expect(result).toEqual({
      identical: true,
      clusters: [
        {
          name: 'east',
          nodes: ['imp-1', 'imp-2'],
          enabledNodes: ['imp-1'],
          fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
        {
          name: 'west',
          nodes: ['imp-3'],
          enabledNodes: ['imp-3'],
          fingerprint: result.clusters[0]!.fingerprint,
        },
      ],
      problems: [],
      differences: [],
    })
  })

  it('ignores the order of set-like lists and the spelling of domains', () => {
    const east = node({ cluster: 'east', policy: { deny: ['*.bad.test', 'SPAM.test', 'spam.test'] } })
    const west = node({ cluster: 'west', domains: ['d.test', 'c.test'] })
    expect(compareClusters([{ config: east }, { config: west }]).identical).toBe(true)
  })

  it('names exactly the differing settings, with each cluster value', () => {
    const east = node({
      cluster: 'east',
      node: 'imp-1',
      listen: [{ port: 5269 }],
      tls: { cert: 'e.crt', key: 'e.key' },
    })
    const west = node({
      cluster: 'west',
      node: 'imp-9',
      listen: [{ port: 5270 }],
      security: { tls: 'opportunistic' },
      policy: { deny: ['spam.test'], domains: { 'a.test': { tls: 'required' } } },
    })
    const result = compareClusters([{ config: east }, { config: west }])
    expect(result.identical).toBe(false)
    expect(result.differences).toEqual([
      {
        path: 'policy.deny',
        values: [
          { cluster: 'east', nodes: ['imp-1'], value: ['*.bad.test', 'spam.test'] },
          { cluster: 'west', nodes: ['imp-9'], value: ['spam.test'] },
        ],
      },
      {
        path: 'policy.domains.a.test.tls',
        values: [
          { cluster: 'east', nodes: ['imp-1'], value: 'opportunistic' },
          { cluster: 'west', nodes: ['imp-9'], value: 'required' },
        ],
      },
      {
        path: 'security.tls',
        values: [
          { cluster: 'east', nodes: ['imp-1'], value: 'required' },
          { cluster: 'west', nodes: ['imp-9'], value: 'opportunistic' },
        ],
      },
    ])
    expect(result.problems).toEqual([
      {
        code: 'CLUSTER_CONFIG_DIFFERS',
        message:
          'the federation configuration differs between clusters east, west in policy.deny, policy.domains.a.test.tls, security.tls',
      },
    ])
  })

  it('names a per-domain entry present in one cluster only', () => {
    const east = node({
      cluster: 'east',
      policy: { domains: { 'a.test': { tls: 'opportunistic' }, 'b.test': {} } },
    })
    const west = node({ cluster: 'west' })
    const [difference] = compareClusters([{ config: east }, { config: west }]).differences
    expect(difference).toEqual({
      path: 'policy.domains.b.test',
      values: [
        { cluster: 'east', nodes: ['nodes[0]'], value: {} },
        { cluster: 'west', nodes: ['nodes[1]'], value: undefined },
      ],
    })
  })

  it('reports a cluster without any node that has federation enabled', () => {
    const result = compareClusters([
      { config: node({ cluster: 'east' }), label: 'east-1' },
      { config: node({ cluster: 'west', enabled: false }), label: 'west-1' },
      { config: node({ cluster: 'west', enabled: false }), label: 'west-2' },
    ])
    expect(result.identical).toBe(true)
    expect(result.problems).toEqual([
      {
        code: 'NO_FEDERATION_NODE',
        cluster: 'west',
        message:
          'cluster west has no node with federation enabled (nodes: west-1, west-2); enable it on at least one node',
      },
    ])
  })

  it('reports nodes of one cluster that disagree, and counts untagged nodes as cluster default', () => {
    const result = compareClusters([
      { config: node({ node: 'a' }) },
      { config: node({ node: 'b', queue: { maxStanzas: 10 } }) },
      { config: node({ node: 'c' }) },
    ])
    expect(result.clusters).toEqual([
      { name: 'default', nodes: ['a', 'b', 'c'], enabledNodes: ['a', 'b', 'c'], fingerprint: null },
    ])
    expect(result.differences).toEqual([
      {
        path: 'queue.maxStanzas',
        values: [
          { cluster: 'default', nodes: ['a', 'c'], value: 1000 },
          { cluster: 'default', nodes: ['b'], value: 10 },
        ],
      },
    ])
    expect(result.problems).toEqual([
      {
        code: 'NODE_CONFIG_DIFFERS',
        cluster: 'default',
        message: 'the nodes of cluster default (a, b, c) differ in queue.maxStanzas',
      },
    ])
  })

  it('compares dialback secrets by fingerprint and never prints one', () => {
    const other = 'another-secret-of-16-chars'
    const result = compareClusters([
      { config: node({ cluster: 'east' }) },
      { config: node({ cluster: 'west', dialback: { secret: other } }) },
      { config: node({ cluster: 'south', dialback: undefined }) },
    ])
    expect(result.differences).toEqual([
      {
        path: 'dialback.secret',
        values: [
          { cluster: 'east', nodes: ['nodes[0]'], value: secretFingerprint(SECRET) },
          { cluster: 'west', nodes: ['nodes[1]'], value: secretFingerprint(other) },
          { cluster: 'south', nodes: ['nodes[2]'], value: undefined },
        ],
      },
    ])
    expect(secretFingerprint(SECRET)).toMatch(/^sha256:[0-9a-f]{64}$/)
    const printed = JSON.stringify(result) + result.problems.map((p) => p.message).join()
    expect(printed).not.toContain(SECRET)
    expect(printed).not.toContain(other)
  })

  it('reports nothing for no nodes at all', () => {
    expect(compareClusters([])).toEqual({ identical: true, clusters: [], problems: [], differences: [] })
  })
})

describe('canonicalFederationSettings', () => {
  const settings = canonicalFederationSettings(
    node({
      cluster: 'east',
      node: 'imp-1',
      enabled: false,
      listen: [{ port: 5269 }],
      tls: { cert: 'c.crt', key: 'c.key', systemCa: false },
      http: { port: 8081 },
      dns: { servers: ['127.0.0.1'], timeoutMs: 2000 },
    }),
  )

  it('leaves out node-local settings and keeps the rest', () => {
    expect(Object.keys(settings)).toEqual([
      'dialback',
      'dns',
      'domains',
      'emailForFederation',
      'policy',
      'queue',
      'routes',
      'security',
      'streams',
      'timeouts',
      'tls',
    ])
    expect(settings.tls).toEqual({ systemCa: false })
    expect(settings.dns).toEqual({ timeoutMs: 2000 })
  })

  it('hashes the dialback secret', () => {
    expect(settings.dialback).toEqual({ secret: secretFingerprint(SECRET) })
    expect(JSON.stringify(settings)).not.toContain(SECRET)
  })

  it('sorts keys and sets', () => {
    const policy = settings.policy as Record<string, unknown>
    expect(Object.keys(policy)).toEqual([...Object.keys(policy)].sort())
    expect(policy.deny).toEqual(['*.bad.test', 'spam.test'])
  })

  it('keeps the order of ordered lists (routes, peer rules)', () => {
    const routes = { 'a.test': [{ host: '192.0.2.2' }, { host: '192.0.2.1' }] }
    const rules = [
      { product: 'B', action: 'refuse' as const },
      { product: 'A', action: 'allow' as const },
    ]
    const one = node({ routes, policy: { peerRules: rules } })
    const swapped = node({
      routes: { 'a.test': [...routes['a.test']].reverse() },
      policy: { peerRules: [...rules].reverse() },
    })
    expect(fingerprint(one)).not.toBe(fingerprint(swapped))
  })
})
