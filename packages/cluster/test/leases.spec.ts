import { createWorkdir, type RedisServer, startRedis, type Workdir } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClusterKeys, parseLease } from '../src/index.js'
import { ACQUIRE, APPEND, CONFIG_VERSION_FLOOR, DELETE, RELEASE, RENEW } from '../src/scripts.js'
import { type RedisReply, RedisStore } from '../src/store.js'
import { REDIS_HOST } from './helpers.js'

// The lease and outbox scripts against a real redis-server: who may own a pair, and that a
// node which lost it can neither renew nor trim, even across a Redis restart.
describe('route leases and the fenced outbox (real redis-server)', () => {
  let workdir: Workdir
  let redis: RedisServer
  let store: RedisStore
  const keys = new ClusterKeys('unit')
  const pair = ['c.test', 'a.test'] as const
  const leaseKeys = () => [
    keys.lease(...pair),
    keys.epoch(...pair),
    keys.holder(...pair),
    keys.outbox(...pair),
  ]
  const acquire = async (node: string, leaseMs = 5_000) =>
    (await store.script(ACQUIRE, leaseKeys(), [node, String(leaseMs)])) as RedisReply[]
  const renew = async (value: string) =>
    Number(await store.script(RENEW, [keys.lease(...pair)], [value, '5000']))
  const release = (value: string) =>
    store.script(RELEASE, [keys.lease(...pair), keys.holder(...pair)], [value])
  /** Appends one batch of stanzas; one result per stanza: an entry id, or 'full:stanzas' / 'full:bytes'. */
  const appendBatch = async (xmls: string[], limits = { stanzas: 10, bytes: 10_000 }) => {
    const [, results] = (await store.script(
      APPEND,
      [keys.outbox(...pair), keys.outboxBytes(...pair), keys.lease(...pair)],
      [
        String(limits.stanzas),
        String(limits.bytes),
        'n1',
        ...xmls.flatMap((xml, i) => [
          String(Buffer.byteLength(xml)),
          `k${i}`,
          String(Date.now() + 60_000),
          xml,
        ]),
      ],
    )) as [string, string[]]
    return results
  }
  /** One stanza, as [status, id] or ['full', which]. */
  const append = async (xml: string, limits = { stanzas: 10, bytes: 10_000 }) => {
    const [result] = await appendBatch([xml], limits)
    return result!.startsWith('full:') ? ['full', result!.slice('full:'.length)] : ['ok', result!]
  }
  const trim = async (value: string, ids: string[]) =>
    Number(
      await store.script(
        DELETE,
        [keys.lease(...pair), keys.outbox(...pair), keys.outboxBytes(...pair)],
        [value, ...ids],
      ),
    )

  beforeAll(async () => {
    workdir = await createWorkdir()
    redis = await startRedis({ workdir, host: REDIS_HOST, port: 6391 })
    store = new RedisStore(redis.url, { unavailable: () => {}, restored: () => {} })
    await store.connect()
  }, 30_000)
  afterAll(async () => {
    await store?.close()
    await redis?.stop()
    await workdir?.cleanup()
  })

  it('every key of one pair carries the same hash tag, so one Lua script may touch them on Redis Cluster', () => {
    const tags = leaseKeys()
      .concat(keys.outboxBytes(...pair))
      .map((key) => /\{[^}]*\}/.exec(key)?.[0])
    expect(new Set(tags)).toEqual(new Set(['{c.test|a.test}']))
    expect(keys.lease('c.test', 'b.test')).not.toContain('{c.test|a.test}')
    expect(keys.lease(...pair).startsWith('unit:')).toBe(true)
  })

  it('one owner at a time; the loser of the race learns who holds it; a release is not a takeover', async () => {
    const first = await acquire('n1')
    expect(first[0]).toBe(1)
    const second = await acquire('n2')
    expect(second).toEqual([0, first[1]])
    expect(await renew(String(first[1]))).toBe(1)
    expect(await renew(`n2:${parseLease(String(first[1]))!.epoch}`)).toBe(-1)
    await release(String(first[1]))
    const third = await acquire('n2')
    expect(third[0]).toBe(1)
    // Released in good order: no previous holder reported, so no takeover.
    expect(third[2]).toBe('')
    await release(String(third[1]))
  })

  it('an expired lease goes to the next node with a higher epoch; the old holder can neither renew nor trim', async () => {
    const old = await acquire('n1', 300)
    const oldValue = String(old[1])
    const [status, id] = await append('<message/>')
    expect(status).toBe('ok')
    await new Promise((resolve) => setTimeout(resolve, 400))
    const next = await acquire('n2')
    expect(next[0]).toBe(1)
    // The holder never released: the new owner is told whom it takes over from, and what is left.
    expect(next[2]).toBe(oldValue)
    expect(next[3]).toBe(1)
    expect(parseLease(String(next[1]))!.epoch).toBeGreaterThan(parseLease(oldValue)!.epoch)
    expect(await renew(oldValue)).toBe(-1)
    expect(await trim(oldValue, [id!])).toBe(-1)
    expect(Number(await store.command(['XLEN', keys.outbox(...pair)]))).toBe(1)
    expect(await trim(String(next[1]), [id!])).toBe(1)
    expect(Number(await store.command(['GET', keys.outboxBytes(...pair)]))).toBe(0)
    await release(String(next[1]))
  })

  it('the outbox refuses past queue.maxStanzas and queue.maxBytes', async () => {
    const owner = await acquire('n1')
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await append('<m/>', { stanzas: 3, bytes: 1_000 }))[1]!)
    expect(await append('<m/>', { stanzas: 3, bytes: 1_000 })).toEqual(['full', 'stanzas'])
    expect(await append('x'.repeat(2_000), { stanzas: 100, bytes: 1_000 })).toEqual(['full', 'bytes'])
    expect(await trim(String(owner[1]), ids)).toBe(3)
    // A batch is bounded as it goes: the fourth of four does not fit, a small one after a big one may.
    const batch = await appendBatch(['<a/>', '<b/>', '<c/>', '<d/>'], { stanzas: 3, bytes: 1_000 })
    expect(batch.slice(0, 3).every((result) => /^\d+-\d+$/.test(result))).toBe(true)
    expect(batch[3]).toBe('full:stanzas')
    await trim(String(owner[1]), batch.slice(0, 3))
    const sized = await appendBatch(['x'.repeat(900), 'y'.repeat(200), '<z/>'], { stanzas: 10, bytes: 1_000 })
    expect(sized[1]).toBe('full:bytes')
    expect(sized[2]).toMatch(/^\d+-\d+$/)
    await release(String(owner[1]))
  })

  it('after a Redis restart (epoch counter lost) a new epoch still exceeds every earlier one', async () => {
    const before = await acquire('n1')
    const beforeEpoch = parseLease(String(before[1]))!.epoch
    await redis.restart()
    const fresh = new RedisStore(redis.url, { unavailable: () => {}, restored: () => {} })
    await fresh.connect()
    try {
      const after = (await fresh.script(ACQUIRE, leaseKeys(), ['n2', '5000'])) as RedisReply[]
      expect(after[0]).toBe(1)
      expect(parseLease(String(after[1]))!.epoch).toBeGreaterThan(beforeEpoch)
      // The node that held the lease before the restart is fenced off.
      expect(Number(await fresh.script(RENEW, [keys.lease(...pair)], [String(before[1]), '5000']))).toBe(-1)
    } finally {
      await fresh.close()
    }
  }, 30_000)
  it('the configuration version only rises: heartbeats put it back after a restart, never lower it', async () => {
    const floor = (version: number) => store.script(CONFIG_VERSION_FLOOR, [keys.config], [String(version)])
    await store.command(['DEL', keys.config])
    await floor(3)
    expect(await store.command(['HGET', keys.config, 'version'])).toBe('3')
    await floor(2) // a node still on an older version
    expect(await store.command(['HGET', keys.config, 'version'])).toBe('3')
    expect(await store.command(['HINCRBY', keys.config, 'version', '1'])).toBe(4) // the next reload
  })
})
