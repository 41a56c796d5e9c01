import { parseConfig } from '@xmpp-federation/config'
import { createFederation } from '@xmpp-federation/router'
import { describe, expect, it } from 'vitest'
import {
  assertSameConfig,
  configRecord,
  pairName,
  parseLease,
  redisCluster,
  rendezvous,
  requesterOf,
  writeDeadline,
} from '../src/index.js'
import { parseMessage } from '../src/messages.js'
import { RedisCluster } from '../src/redis-cluster.js'
import { firstKey } from '../src/store.js'

const base = { domains: ['c.test'], dialback: { secret: 'a-long-shared-secret' } }

describe('the recorded configuration', () => {
  it('leaves `enabled` (and other node-local settings) out of the fingerprint and the comparison', () => {
    const on = configRecord(parseConfig({ ...base, enabled: true, node: 'n1' }))
    const off = configRecord(parseConfig({ ...base, enabled: false, node: 'n2' }))
    expect(off.fingerprint).toBe(on.fingerprint)
    expect(() => assertSameConfig(off, on, 'n2')).not.toThrow()
    expect(Object.keys(on.settings)).not.toContain('enabled')
  })

  it('names each differing setting and never shows a secret in clear', () => {
    const recorded = configRecord(parseConfig(base))
    const mine = configRecord(
      parseConfig({ ...base, dialback: { secret: 'another-secret-of-ours!' }, queue: { ttlMs: 5_000 } }),
    )
    expect(JSON.stringify(recorded)).not.toContain('a-long-shared-secret')
    let error: unknown
    try {
      assertSameConfig(mine, recorded, 'n2')
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ name: 'ConfigError' })
    const paths = (error as { issues: { path: string }[] }).issues.map((issue) => issue.path)
    expect(paths).toEqual(['dialback.secret', 'queue.ttlMs'])
    expect(String(error)).not.toContain('another-secret-of-ours!')
    expect(String(error)).toMatch(/sha256:[0-9a-f]{12}…/)
  })
})

describe('leases, ids and messages', () => {
  it('parses lease values, node ids with colons included', () => {
    expect(parseLease('n1:1796526313029')).toEqual({ nodeId: 'n1', epoch: 1796526313029 })
    expect(parseLease('eu:n1:7')).toEqual({ nodeId: 'eu:n1', epoch: 7 })
    expect(parseLease('garbage')).toBeUndefined()
  })

  it('stops writing a tenth of a lease before Redis could hand the lease to another node', () => {
    expect(writeDeadline(1_000, 10_000)).toBe(10_000)
  })

  it('rendezvous hashing: the same choice everywhere, and only the leaver’s pairs move', () => {
    const nodes = ['n1', 'n2', 'n3']
    const pairs = Array.from({ length: 60 }, (_, i) => pairName('c.test', `r${i}.test`))
    const before = pairs.map((pair) => rendezvous(pair, nodes))
    expect(pairs.map((pair) => rendezvous(pair, [...nodes].reverse()))).toEqual(before)
    expect(new Set(before).size).toBe(3)
    const after = pairs.map((pair) => rendezvous(pair, ['n1', 'n3']))
    for (const [i, owner] of before.entries()) if (owner !== 'n2') expect(after[i]).toBe(owner)
    expect(rendezvous('x', [])).toBeUndefined()
  })

  it('request ids name the node that awaits the answer', () => {
    const cluster = new RedisCluster({ url: 'redis://127.0.0.190:1', nodeId: 'eu:n1' })
    const id = cluster.requestId()
    expect(requesterOf(id)).toBe('eu:n1')
    expect(requesterOf('ping-1234')).toBeUndefined()
  })

  it('refuses malformed channel messages instead of throwing', () => {
    expect(parseMessage('{')).toBeUndefined()
    expect(parseMessage('{"t":"pull","l":1}')).toBeUndefined()
    expect(parseMessage('{"t":"nope"}')).toBeUndefined()
    expect(parseMessage('{"t":"outcome","k":"n1#1","ok":true}')).toEqual({
      t: 'outcome',
      k: 'n1#1',
      ok: true,
    })
  })

  it('rejects a node id that would break key names, and a lease too short to renew', () => {
    expect(() => new RedisCluster({ url: 'redis://x', nodeId: 'a b' })).toThrow(/nodeId/)
    expect(() => new RedisCluster({ url: 'redis://x', nodeId: 'n{1}' })).toThrow(/nodeId/)
    expect(() => new RedisCluster({ url: 'redis://x', nodeId: 'n1', leaseMs: 10 })).toThrow(/leaseMs/)
    expect(() => new RedisCluster({ url: 'redis://x', nodeId: 'n1', prefix: 'x{y}' })).toThrow(/prefix/)
  })
})

describe('Redis Cluster routing', () => {
  it('routes a script by its first key and any other command by its first argument', () => {
    expect(firstKey(['EVALSHA', 'abc', '2', 'xf:pair:{c|a}:lease', 'xf:pair:{c|a}:outbox', 'n1'])).toBe(
      'xf:pair:{c|a}:lease',
    )
    expect(firstKey(['EVAL', 'return 1', '0'])).toBeUndefined()
    expect(firstKey(['SPUBLISH', 'xf:node:{n2}:channel', '{}'])).toBe('xf:node:{n2}:channel')
    expect(firstKey(['HGETALL', 'xf:{nodes}'])).toBe('xf:{nodes}')
  })
})

describe('what cluster mode asks of the configuration', () => {
  it('refuses a cluster that may use dialback without one shared dialback.secret', () => {
    const cluster = () => redisCluster({ url: 'redis://127.0.0.190:1', nodeId: 'n1' })
    expect(() =>
      createFederation({
        config: { domains: ['c.test'], security: { tls: 'none', requireValidCertificate: false } },
        cluster: cluster(),
        logger: false,
      }),
    ).toThrow(/dialback\.secret/)
    expect(() =>
      createFederation({
        config: {
          domains: ['c.test'],
          security: { tls: 'none', requireValidCertificate: false },
          dialback: { secret: 'a-long-shared-secret' },
        },
        cluster: cluster(),
        logger: false,
      }),
    ).not.toThrow()
  })
})
