import { copyFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import type { FederationConfigInput } from '@xmpp-federation/config'
import { type BounceEvent, createFederation, type Federation, xml } from '@xmpp-federation/router'
import {
  type CertScenario,
  createWorkdir,
  type RedisServer,
  startCertScenario,
  startRedis,
  stopAllPeers,
  type Workdir,
  type XmppUser,
} from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RedisCluster } from '../src/index.js'
import { RedisStore } from '../src/store.js'
import {
  clusterEvents,
  debugLogger,
  eventually,
  NODE_IPS,
  nodeConfig,
  PROSODY_IP,
  REDIS_HOST,
  simulateCrash,
  startFreezableProxy,
} from './helpers.js'

// Three nodes of one deployment (c.test) in this process, one Redis, one real Prosody (a.test)
// with a logged-in user. Prosody reaches c.test on n1's address only, so whatever it sends
// (iq answers, messages to our users) arrives on n1.
const LEASE_MS = 1_500

describe('a cluster of federation nodes against Prosody', () => {
  let workdir: Workdir
  let redis: RedisServer
  let scenario: CertScenario
  let alice: XmppUser
  let files: { cert: string; key: string; ca: string }
  let running: Federation[] = []
  let prefix = ''
  let run = 0

  function node(
    nodeId: keyof typeof NODE_IPS,
    extra: Partial<FederationConfigInput> = {},
    locate?: (bare: string) => string | undefined,
    url = redis.url,
  ): { federation: Federation; cluster: RedisCluster; bounces: BounceEvent[] } {
    const cluster = new RedisCluster({ url, nodeId, leaseMs: LEASE_MS, prefix, locate })
    const federation = createFederation({
      config: nodeConfig(files, NODE_IPS[nodeId], extra),
      cluster,
      logger: process.env.XF_DEBUG ? debugLogger(nodeId) : false,
    })
    const bounces: BounceEvent[] = []
    federation.on('bounce', (event) => bounces.push(event))
    running.push(federation)
    return { federation, cluster, bounces }
  }

  async function bodies(ids: string[], timeoutMs = 20_000): Promise<string[]> {
    const seen: string[] = []
    for (const id of ids) {
      const stanza = await alice.nextStanza((s) => s.attrs.id === id && s.name === 'message', timeoutMs)
      seen.push(stanza.getChildText('body') ?? '')
    }
    return seen
  }

  const message = (from: string, id: string) =>
    xml('message', { from, to: alice.bareJid, id, type: 'chat' }, xml('body', {}, id))

  beforeAll(async () => {
    workdir = await createWorkdir()
    redis = await startRedis({ workdir, host: REDIS_HOST, port: 6392 })
    scenario = await startCertScenario({
      domain: 'a.test',
      ip: PROSODY_IP,
      ours: { 'c.test': NODE_IPS.n1 },
      modules: ['version'],
    })
    files = await scenario.filesFor('c.test')
    alice = await scenario.login('alice')
  })
  afterEach(async () => {
    for (const federation of running.reverse()) await federation.stop().catch(() => undefined)
    running = []
    prefix = `t${++run}`
  })
  afterAll(async () => {
    await scenario?.cleanup()
    await redis?.stop()
    await workdir?.cleanup()
    await stopAllPeers()
  })

  it('a send on a node that does not own the pair is delivered by the owner; status shows the lease', async () => {
    prefix = 'deliver'
    const n1 = node('n1')
    const n2 = node('n2')
    await n1.federation.start()
    await n2.federation.start()
    // n1 sends first and, being federation-enabled, takes the pair itself.
    await n1.federation.send(message('bot@c.test', 'own-1'))
    await n2.federation.send(message('bot@c.test', 'forwarded-1'))
    expect(await bodies(['own-1', 'forwarded-1'])).toEqual(['own-1', 'forwarded-1'])
    await eventually(() => {
      const status = n2.federation.status().cluster!
      expect(status.leases).toContainEqual(
        expect.objectContaining({ local: 'c.test', remote: 'a.test', owner: 'n1' }),
      )
      expect(
        status.nodes
          .filter((n) => n.alive)
          .map((n) => n.nodeId)
          .sort(),
      ).toEqual(['n1', 'n2'])
      for (const n of status.nodes)
        expect(n).toMatchObject({ enabled: true, fingerprint: status.fingerprint })
      expect(Math.max(...status.nodes.map((n) => n.lastSeenMs))).toBeLessThanOrEqual(LEASE_MS)
      expect(status.nodeId).toBe('n2')
    })
    // n2 never opened a stream of its own: the owner wrote for it.
    expect(n2.federation.status().domains.filter((d) => d.direction === 'outbound')).toEqual([])
    expect([...n1.bounces, ...n2.bounces]).toEqual([])
  })

  it('a delivery report nobody hears (the origin resubscribing) is read back, not taken for a loss', async () => {
    prefix = 'unheard'
    const n1 = node('n1', { queue: { ttlMs: 20_000 } })
    const n3 = node('n3', { enabled: false, queue: { ttlMs: 20_000 } })
    await n1.federation.start()
    await n3.federation.start()
    // Fault injection: n1's reports to n3 find no subscriber, as while n3 resubscribes after a
    // Redis restart (SPUBLISH answers 0 receivers). Everything else goes through.
    const store = (
      n1.cluster as unknown as { store: { publish(channel: string, text: string): Promise<number> } }
    ).store
    const publish = store.publish.bind(store)
    let unheard = 0
    store.publish = async (channel, text) => {
      if (channel.includes('{n3}') && text.includes('"t":"outcome"')) {
        unheard++
        return 0
      }
      return publish(channel, text)
    }
    const started = Date.now()
    await n3.federation.send(message('bot@c.test', 'unheard-1'))
    // Settled written from the recorded outcome within a few heartbeats, long before its 20 s timer.
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(unheard).toBe(1)
    expect(await bodies(['unheard-1'])).toEqual(['unheard-1'])
    expect([...n1.bounces, ...n3.bounces]).toEqual([])
  })

  it('a delivery report Redis could not carry (it was restarting) is told again on a heartbeat', async () => {
    prefix = 'untold'
    const n1 = node('n1', { queue: { ttlMs: 20_000 } })
    const n3 = node('n3', { enabled: false, queue: { ttlMs: 20_000 } })
    await n1.federation.start()
    await n3.federation.start()
    // Fault injection: n1's first report to n3 fails as a command does while Redis restarts.
    const store = (
      n1.cluster as unknown as { store: { publish(channel: string, text: string): Promise<number> } }
    ).store
    const publish = store.publish.bind(store)
    let failed = 0
    store.publish = async (channel, text) => {
      if (failed === 0 && channel.includes('{n3}') && text.includes('"t":"outcome"')) {
        failed++
        throw new Error('Connection is closed')
      }
      return publish(channel, text)
    }
    const started = Date.now()
    await n3.federation.send(message('bot@c.test', 'untold-1'))
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(failed).toBe(1)
    expect(await bodies(['untold-1'])).toEqual(['untold-1'])
    expect([...n1.bounces, ...n3.bounces]).toEqual([])
  })

  it('a node with federation disabled hands its sends to an enabled node, which takes the pair', async () => {
    prefix = 'disabled'
    const n1 = node('n1')
    const n2 = node('n2')
    const n3 = node('n3', { enabled: false })
    await n1.federation.start()
    await n2.federation.start()
    await n3.federation.start()
    const ids = ['off-1', 'off-2', 'off-3']
    await Promise.all(ids.map((id) => n3.federation.send(message('bot@c.test', id))))
    expect(await bodies(ids)).toEqual(ids)
    await eventually(() => {
      const lease = n3.federation.status().cluster!.leases.find((l) => l.remote === 'a.test')
      expect(['n1', 'n2']).toContain(lease?.owner)
    })
    expect(n3.federation.status().domains).toEqual([])
    expect([...n1.bounces, ...n2.bounces, ...n3.bounces]).toEqual([])
  })

  it('an inbound stanza is delivered on the node locate() names', async () => {
    prefix = 'locate'
    const locate = (bare: string) => (bare === 'bob@c.test' ? 'n2' : undefined)
    const n1 = node('n1', {}, locate)
    const n2 = node('n2', {}, locate)
    await n1.federation.start()
    await n2.federation.start()
    const onN1: Element[] = []
    const onN2: Element[] = []
    n1.federation.on('stanza', (s) => onN1.push(s))
    n2.federation.on('stanza', (s) => onN2.push(s))
    await alice.send(
      xml('message', { to: 'bob@c.test', id: 'to-bob', type: 'chat' }, xml('body', {}, 'hi bob')),
    )
    await alice.send(
      xml('message', { to: 'carol@c.test', id: 'to-carol', type: 'chat' }, xml('body', {}, 'hi carol')),
    )
    await eventually(() => {
      expect(onN2.map((s) => s.attrs.id)).toEqual(['to-bob'])
      expect(onN1.map((s) => s.attrs.id)).toEqual(['to-carol'])
    })
  })

  it('an iq answer arriving on another node resolves the request() made on this one', async () => {
    prefix = 'iq'
    const n1 = node('n1')
    const n2 = node('n2')
    await n1.federation.start()
    await n2.federation.start()
    // Prosody answers over its own stream to c.test, which reaches n1 only.
    const rtt = await n2.federation.ping('c.test', 'a.test', 15_000)
    expect(rtt).toBeGreaterThan(0)
    // Any request() whose id the federation chooses: here XEP-0092, answered by Prosody's mod_version.
    const version = await n2.federation.request(
      xml('iq', { type: 'get', from: 'c.test', to: 'a.test' }, xml('query', { xmlns: 'jabber:iq:version' })),
      15_000,
    )
    expect(version.getChild('query')?.getChildText('name')).toBe('Prosody')
  })

  it('an iq answer whose id names no live node (a peer can write any id) reaches the host, not the void', async () => {
    prefix = 'forged'
    const n1 = node('n1')
    await n1.federation.start()
    const seen: string[] = []
    n1.federation.on('stanza', (stanza) => seen.push(stanza.attrs.id ?? ''))
    // What requestId() would make for a node called "ghost", which never joined.
    const forged = `xfc.${Buffer.from('ghost').toString('base64url')}.0123456789abcdef`
    await alice.send(xml('iq', { type: 'result', to: 'bot@c.test', id: forged }))
    await eventually(() => expect(seen).toContain(forged))
  })

  it('the owner stopping gracefully hands over: every send resolves, nothing bounces, all arrive', async () => {
    prefix = 'handover'
    const n1 = node('n1')
    const n2 = node('n2')
    const events1 = clusterEvents(n1.federation)
    await n1.federation.start()
    await n2.federation.start()
    await n1.federation.send(message('bot@c.test', 'h-0'))
    const ids = Array.from({ length: 20 }, (_, i) => `h-${i + 1}`)
    const sends = ids.map((id, i) =>
      // Half before the stop, half during and after it.
      i < 10 ? n2.federation.send(message('bot@c.test', id)) : undefined,
    )
    const stopped = n1.federation.stop()
    for (const [i, id] of ids.entries()) if (i >= 10) sends[i] = n2.federation.send(message('bot@c.test', id))
    await stopped
    await Promise.all(sends)
    const received = await bodies(['h-0', ...ids])
    expect(received).toEqual(['h-0', ...ids])
    expect(events1).toContainEqual(expect.objectContaining({ type: 'handover', from: 'n1', to: 'n2' }))
    expect([...n1.bounces, ...n2.bounces]).toEqual([])
  })

  it('a rolling restart of every node under steady sending bounces nothing and loses nothing', async () => {
    prefix = 'rolling'
    const live = new Set<Federation>()
    const ids: string[] = []
    const sends: Promise<void>[] = []
    const bounces: BounceEvent[] = []
    const start = async (nodeId: 'n1' | 'n2') => {
      const n = node(nodeId)
      n.federation.on('bounce', (event) => bounces.push(event))
      await n.federation.start()
      live.add(n.federation)
      return n.federation
    }
    const pause = () => new Promise((resolve) => setTimeout(resolve, 300))
    const n1 = await start('n1')
    const n2 = await start('n2')
    // The host sends through whichever nodes are up, as a load balancer would.
    const pump = setInterval(() => {
      for (const federation of live) {
        const id = `roll-${ids.length}`
        ids.push(id)
        sends.push(federation.send(message('bot@c.test', id)))
      }
    }, 40)
    try {
      await pause()
      live.delete(n1)
      await n1.stop()
      await start('n1')
      await pause()
      live.delete(n2)
      await n2.stop()
      await start('n2')
      await pause()
    } finally {
      clearInterval(pump)
    }
    await Promise.all(sends)
    expect(ids.length).toBeGreaterThan(20)
    expect(await bodies(ids)).toEqual(ids)
    expect(bounces).toEqual([])
  })

  it('the owner dying: a survivor takes the pair over after the lease and resends what was left', async () => {
    prefix = 'takeover'
    const n1 = node('n1')
    const n2 = node('n2')
    const events2 = clusterEvents(n2.federation)
    const resends: number[] = []
    n2.federation.on('resend', (event) => resends.push(event.count))
    await n1.federation.start()
    await n2.federation.start()
    await n1.federation.send(message('bot@c.test', 'd-0'))
    await bodies(['d-0'])
    await simulateCrash(n1.federation, n1.cluster)
    running = running.filter((f) => f !== n1.federation)
    // Appended while the lease still names the dead n1: they wait in the outbox.
    const ids = Array.from({ length: 10 }, (_, i) => `d-${i + 1}`)
    const sends = ids.map((id) => n2.federation.send(message('bot@c.test', id)))
    await Promise.all(sends)
    expect(await bodies(ids)).toEqual(ids)
    const takeover = events2.find((e) => e.type === 'takeover')
    expect(takeover).toMatchObject({ type: 'takeover', local: 'c.test', remote: 'a.test', from: 'n1' })
    expect((takeover as { resent: number }).resent).toBeGreaterThanOrEqual(1)
    expect(resends.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1)
    await eventually(() => expect(events2).toContainEqual({ type: 'node-down', nodeId: 'n1' }), 5_000)
    expect(n2.bounces).toEqual([])
  })

  it('XEP-0092 answers are shared: one node asks, the next owner uses the answer', async () => {
    prefix = 'software'
    const rules = { policy: { peerRules: [{ product: 'Evil', action: 'refuse' as const }] } }
    const n1 = node('n1', rules)
    const n2 = node('n2', rules)
    await n1.federation.start()
    await n2.federation.start()
    await n1.federation.send(message('bot@c.test', 'sw-1'))
    const store = new RedisStore(redis.url, { unavailable: () => {}, restored: () => {} })
    await store.connect()
    try {
      const key = 'software:peer-software:{a.test}'
      // With when it was answered: another node tells a fresh answer from one only known.
      expect(JSON.parse(String(await store.command(['GET', key])))).toMatchObject({
        software: { name: 'Prosody' },
        at: expect.any(Number),
      })
      // Had n2 asked Prosody itself it would pass; the shared (here forged) answer refuses it.
      await store.command([
        'SET',
        key,
        JSON.stringify({ software: { name: 'Evil', version: '1' } }),
        'PX',
        '60000',
      ])
    } finally {
      await store.close()
    }
    await n1.federation.stop()
    const sent = n2.federation.send(message('bot@c.test', 'sw-2'))
    await expect(sent).rejects.toMatchObject({ condition: 'policy-violation' })
  })

  it('an owner cut off from Redis stops writing at its deadline and gives the pair up; a survivor takes over', async () => {
    prefix = 'frozen'
    const proxy = await startFreezableProxy(
      { host: REDIS_HOST, port: 6390 },
      { host: redis.host, port: redis.port },
    )
    try {
      const n1 = node('n1', {}, undefined, proxy.url)
      const n2 = node('n2')
      const events1 = clusterEvents(n1.federation)
      const events2 = clusterEvents(n2.federation)
      await n1.federation.start()
      await n2.federation.start()
      await n1.federation.send(message('bot@c.test', 'f-0'))
      await bodies(['f-0'])
      // As Redis sees a SIGSTOPped node: silence. n1 must stop on its own clock, not on a reply.
      proxy.freeze()
      await eventually(
        () => expect(events1).toContainEqual(expect.objectContaining({ type: 'lease-lost' })),
        5_000,
      )
      expect(n1.federation.status().domains.filter((d) => d.direction === 'outbound')).toEqual([])
      const ids = ['f-1', 'f-2', 'f-3']
      await Promise.all(ids.map((id) => n2.federation.send(message('bot@c.test', id))))
      expect(await bodies(ids)).toEqual(ids)
      expect(events2).toContainEqual(expect.objectContaining({ type: 'takeover', from: 'n1' }))
      // Back again: n1 sees the lease is n2's and stays out of the pair.
      proxy.thaw()
      await n2.federation.send(message('bot@c.test', 'f-4'))
      expect(await bodies(['f-4'])).toEqual(['f-4'])
      expect(events1.filter((e) => e.type === 'lease-acquired')).toHaveLength(1)
      expect([...n1.bounces, ...n2.bounces]).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('the origin gone: the owner reports the bounce itself, with the error stanza for the sender', async () => {
    prefix = 'orphan'
    // dead.test accepts TCP and never speaks: the owner's link fails after the negotiation timeout.
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(5270, NODE_IPS.n3, resolve))
    try {
      const extra = {
        routes: { 'a.test': [{ host: PROSODY_IP }], 'dead.test': [{ host: NODE_IPS.n3, port: 5270 }] },
        timeouts: { negotiationMs: 1_500 },
      }
      const n1 = node('n1', extra)
      const n2 = node('n2', { ...extra, enabled: false })
      await n1.federation.start()
      await n2.federation.start()
      const sent = n2.federation.send(
        xml('message', { from: 'bot@c.test', to: 'x@dead.test', id: 'orphan-1' }, xml('body', {}, 'anyone?')),
      )
      sent.catch(() => undefined)
      // Appended and claimed by n1; then the origin dies before the outcome is known.
      await eventually(() => expect(n1.federation.status().domains.length).toBeGreaterThan(0), 5_000)
      await simulateCrash(n2.federation, n2.cluster)
      running = running.filter((f) => f !== n2.federation)
      await eventually(() => expect(n1.bounces).toHaveLength(1), 10_000)
      expect(n1.bounces[0]).toMatchObject({ condition: 'remote-server-timeout', direction: 'outbound' })
      expect(n1.bounces[0]!.returned?.attrs).toMatchObject({
        type: 'error',
        to: 'bot@c.test',
        id: 'orphan-1',
      })
    } finally {
      silent.close()
    }
  })

  it('an idle pair is given up in good order and taken again by the next send', async () => {
    prefix = 'idle'
    const n1 = node('n1', { timeouts: { idleMs: 1_000 } })
    const events = clusterEvents(n1.federation)
    await n1.federation.start()
    await n1.federation.send(message('bot@c.test', 'idle-1'))
    await bodies(['idle-1'])
    // Held (as the status snapshot shows once it is refreshed), then released after idleMs.
    await eventually(() => expect(n1.federation.status().cluster!.leases).toHaveLength(1), 5_000)
    await eventually(() => expect(n1.federation.status().cluster!.leases).toEqual([]), 10_000)
    await n1.federation.send(message('bot@c.test', 'idle-2'))
    await bodies(['idle-2'])
    expect(events.filter((e) => e.type === 'lease-acquired')).toHaveLength(2)
    expect(events.filter((e) => e.type === 'takeover' || e.type === 'lease-lost')).toEqual([])
  })

  it('a node whose configuration differs is refused, naming the setting; `enabled` may differ', async () => {
    prefix = 'config'
    const n1 = node('n1')
    await n1.federation.start()
    const odd = node('n2', { policy: { mode: 'denylist', deny: ['evil.test'] } })
    const refused = odd.federation.start()
    await expect(refused).rejects.toMatchObject({ name: 'ConfigError' })
    await expect(refused).rejects.toThrow(/policy\.deny/)
    const passive = node('n3', { enabled: false })
    await passive.federation.start()
    expect(passive.federation.status().cluster!.fingerprint).toBe(n1.federation.status().cluster!.fingerprint)
  })

  it('a reconfiguration on one node becomes every node’s; a node that cannot apply it says so and owns no pairs', async () => {
    prefix = 'reconfig'
    // n3 reads its certificate from files of its own, gone by the time the change arrives.
    const own = await workdir.subdir('n3-certificate')
    const n3Files = { ...files, cert: path.join(own, 'cert.pem'), key: path.join(own, 'key.pem') }
    await copyFile(files.cert, n3Files.cert)
    await copyFile(files.key, n3Files.key)
    const [n1, n2] = [node('n1'), node('n2')]
    const n3 = node('n3', { tls: { cert: n3Files.cert, key: n3Files.key, ca: [files.ca], systemCa: false } })
    const events = { n2: clusterEvents(n2.federation), n3: clusterEvents(n3.federation) }
    for (const { federation } of [n1, n2, n3]) await federation.start()
    await rm(own, { recursive: true })

    const denied = {
      ...nodeConfig(files, NODE_IPS.n1),
      policy: { mode: 'denylist' as const, deny: ['evil.test'] },
    }
    const report = await n1.federation.reconfigure(denied)
    expect(report.changed.map((change) => change.path)).toContain('policy.deny')
    expect(report.cluster).toEqual({ version: 1 })
    const fingerprint = n1.federation.status().cluster!.fingerprint

    // n2 applies it, keeping its own listener (a node-local setting): the same fingerprint, version 1.
    await eventually(() => {
      expect(events.n2).toContainEqual(
        expect.objectContaining({ type: 'config-applied', version: 1, from: 'n1' }),
      )
    })
    expect(n2.federation.status().cluster).toMatchObject({ configVersion: 1, fingerprint })
    const refused = n2.federation.send(message('bot@c.test', 'to-evil').attr('to', 'eve@evil.test'))
    await expect(refused).rejects.toMatchObject({ name: 'DeliveryError' })
    expect(n2.bounces.at(-1)?.reason).toMatch(/evil\.test/)

    // n3 cannot (its certificate is gone): it says so, keeps its configuration and owns no pair.
    await eventually(() => {
      expect(events.n3).toContainEqual(
        expect.objectContaining({ type: 'config-refused', version: 1, from: 'n1' }),
      )
    })
    const status = n3.federation.status().cluster!
    expect(status.configRefused).toMatchObject({ version: 1, reason: expect.stringMatching(/cert/) })
    expect(status.configVersion).toBe(0)
    await eventually(() => {
      const seen = n1.federation.status().cluster!.nodes.find((n) => n.nodeId === 'n3')
      expect(seen).toMatchObject({ enabled: false, configVersion: 0 })
    })
    // Its sends still go out, through a node that runs the cluster's configuration.
    await n3.federation.send(message('bot@c.test', 'via-in-step-node'))
    expect(await bodies(['via-in-step-node'])).toEqual(['via-in-step-node'])
    const lease = n3.federation.status().cluster!.leases.find((l) => l.remote === 'a.test')
    if (lease) expect(lease.owner).not.toBe('n3')

    // Redis loses the record (as when it restarts empty): the heartbeats put version 1 back, so
    // the next reload is version 2 and n2, which runs 1, applies it.
    const store = new RedisStore(redis.url, { unavailable: () => {}, restored: () => {} })
    await store.connect()
    try {
      await store.command(['DEL', `${prefix}:{config}`])
      await eventually(async () => {
        expect(await store.command(['HGET', `${prefix}:{config}`, 'version'])).toBe('1')
      })
    } finally {
      await store.close()
    }
    const second = await n1.federation.reconfigure({
      ...denied,
      policy: { mode: 'denylist', deny: ['evil.test', 'worse.test'] },
    })
    expect(second.cluster).toEqual({ version: 2 })
    await eventually(() => {
      expect(events.n2).toContainEqual(expect.objectContaining({ type: 'config-applied', version: 2 }))
    })
  })

  it('no federation-enabled node alive: sends reject with service-unavailable and an event', async () => {
    prefix = 'nofed'
    const n3 = node('n3', { enabled: false })
    const events = clusterEvents(n3.federation)
    await n3.federation.start()
    const sent = n3.federation.send(message('bot@c.test', 'nobody'))
    await expect(sent).rejects.toMatchObject({ name: 'DeliveryError', condition: 'service-unavailable' })
    await expect(sent).rejects.toThrow(/no node of the cluster has federation enabled/)
    expect(events).toContainEqual(expect.objectContaining({ type: 'no-federation-node' }))
    expect(n3.bounces.map((b) => b.condition)).toEqual(['service-unavailable'])
    expect(n3.bounces[0]!.returned?.attrs.type).toBe('error')
  })
})
