import { randomBytes } from 'node:crypto'
import type { PeerSoftware } from '@xmpp-federation/policy'
import type {
  ClusterEvent,
  ClusterHost,
  ClusterLeaseStatus,
  ClusterNodeStatus,
  ClusterOutboxStatus,
  ClusterPort,
  ClusterStatus,
  InboundStanzaInfo,
  PendingStanza,
  SharedPeerSoftwareCache,
} from '@xmpp-federation/router'
import { parseAddress } from '@xmpp-federation/stream'
import { type Element, parse } from 'ltx'
import { assertSameConfig, type ConfigRecord, configRecord } from './config-record.js'
import { ClusterKeys, pairName, splitPair } from './keys.js'
import { parseLease, writeDeadline } from './lease.js'
import { type NodeMessage, parseMessage } from './messages.js'
import { rendezvous } from './rendezvous.js'
import { ACQUIRE, APPEND, DELETE, RELEASE, RENEW } from './scripts.js'
import { type Outcome, Settlements } from './settlements.js'
import { type RedisReply, RedisStore } from './store.js'

/** What redisCluster() takes. */
export interface RedisClusterOptions {
  /** `redis://host:port` of a Redis 7 server. */
  url: string
  /** This node's id, unique in the cluster and stable across restarts of the same node. */
  nodeId: string
  /** Route lease and heartbeat lifetime; renewed every third of it. Default 10 000 ms. */
  leaseMs?: number
  /** Prefix of every key. Default `xf`. */
  prefix?: string
  /** Which node delivers an inbound stanza for a local user; default (or undefined) the node that received it. */
  locate?: (bareAddress: string) => string | undefined
  /** Sends of this node waiting for their owner's report, at most. Default 10 000. */
  maxPendingSends?: number
  /** `url` names one node of a Redis Cluster (the others are discovered); default a single server. */
  redisCluster?: boolean
}

export const DEFAULT_LEASE_MS = 10_000
export const DEFAULT_PREFIX = 'xf'
const PULL_BATCH = 200
/** Outbox pairs examined per heartbeat for status and for owners that vanished. */
const SCAN_PAIRS_PER_TICK = 1_000
/** Appends that failed for want of Redis are tried again after this long (until their TTL). */
const APPEND_RETRY_MS = 250

interface Owned {
  readonly local: string
  readonly remote: string
  value: string
  epoch: number
  /** No write after this (local clock): see writeDeadline. */
  deadline: number
  /** The last outbox id handed to the link; reading resumes after it. */
  lastId: string | undefined
  pulling: boolean
  again: boolean
  /** Entries the peer acknowledged, deleted together on the next tick. */
  acked: string[]
  deleting: boolean
}

interface Append {
  readonly local: string
  readonly remote: string
  readonly key: string
  readonly xml: string
  readonly size: number
  readonly expiresAt: number
}

interface NodeInfo {
  nodeId: string
  enabled: boolean
  fingerprint: string
  startedAt: number
}

/** Builds the cluster membership for createFederation({ cluster }); nothing connects until start(). */
export function redisCluster(options: RedisClusterOptions): ClusterPort {
  return new RedisCluster(options)
}

/**
 * One node of a cluster on Redis: route leases per (local, remote) pair, the durable outbox,
 * forwarding between nodes, heartbeats and the configuration check. See README.md for the design.
 */
export class RedisCluster implements ClusterPort {
  readonly nodeId: string
  private readonly leaseMs: number
  private readonly keys: ClusterKeys
  private readonly store: RedisStore
  private host: ClusterHost | undefined
  private record: ConfigRecord | undefined
  private enabled = false
  private state: 'new' | 'joined' | 'leaving' | 'left' = 'new'
  private readonly owned = new Map<string, Owned>()
  private readonly acquiring = new Set<string>()
  private settlements: Settlements | undefined
  private appends: { append: Append; item: PendingStanza }[] = []
  private flushing: Promise<void> | undefined
  private flushTimer: NodeJS.Timeout | undefined
  private tickTimer: NodeJS.Timeout | undefined
  /** Checks the write deadlines on its own: a renewal stuck on a silent Redis must not keep a link open. */
  private watchdog: NodeJS.Timeout | undefined
  private ticking = false
  private sequence = 0
  private noFederationReportedAt = 0
  private snapshot: ClusterStatus
  private infos = new Map<string, NodeInfo>()
  private readonly alive = new Set<string>()
  private readonly startedAt = Date.now()
  /** Tells this life of the node from an earlier one with the same id: stanza keys must not collide. */
  private readonly incarnation = randomBytes(4).toString('hex')

  constructor(private readonly options: RedisClusterOptions) {
    if (!options.nodeId || /[\s{}|]/.test(options.nodeId)) {
      throw new TypeError(
        `redisCluster: nodeId must be a non-empty name without spaces, braces or '|' (got '${options.nodeId}')`,
      )
    }
    this.nodeId = options.nodeId
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
    if (!Number.isInteger(this.leaseMs) || this.leaseMs < 300) {
      throw new TypeError(`redisCluster: leaseMs must be an integer of at least 300 (got ${options.leaseMs})`)
    }
    this.keys = new ClusterKeys(options.prefix ?? DEFAULT_PREFIX)
    this.store = new RedisStore(
      options.url,
      {
        unavailable: (error) => this.emit({ type: 'redis-unavailable', error: error.message }),
        restored: () => this.emit({ type: 'redis-restored' }),
      },
      options.redisCluster ?? false,
    )
    this.snapshot = { nodeId: this.nodeId, fingerprint: '', nodes: [], leases: [], outbox: [] }
  }

  // ------------------------------------------------------------------ membership

  async join(host: ClusterHost): Promise<void> {
    if (this.state !== 'new')
      throw new Error('this cluster node has joined before: make a new redisCluster() per Federation')
    this.host = host
    this.enabled = host.config.enabled
    this.record = configRecord(host.config)
    this.settlements = new Settlements(this.options.maxPendingSends ?? 10_000, (item, condition, reason) =>
      host.bounce(item, condition, reason),
    )
    this.snapshot = { ...this.snapshot, fingerprint: this.record.fingerprint }
    await this.store.connect()
    try {
      await this.refreshNodes()
      await this.checkConfig(this.record)
      await this.store.subscribe(this.keys.channel(this.nodeId), (message) => this.onMessage(message))
      await this.heartbeat()
      await this.refreshNodes()
    } catch (error) {
      await this.store.destroy()
      throw error
    }
    this.state = 'joined'
    this.emit({ type: 'joined', nodeId: this.nodeId, fingerprint: this.record.fingerprint })
    // The others learn of this node now rather than at their next heartbeat.
    for (const node of this.alive)
      if (node !== this.nodeId) void this.tell(node, { t: 'hello' }).catch(() => undefined)
    this.scheduleTick(0)
    this.watchdog = setInterval(
      () => {
        for (const pair of [...this.owned.values()]) this.mayWrite(pair)
      },
      Math.max(50, Math.floor(this.leaseMs / 10)),
    )
    this.watchdog.unref?.()
  }

  /**
   * The first node (none alive) records the configuration; every other must match it.
   * `enabled` and the other node-local settings are not compared (see config-record.ts).
   */
  private async checkConfig(mine: ConfigRecord): Promise<void> {
    const others = [...this.alive].filter((node) => node !== this.nodeId)
    const [fingerprint, settings] = (await this.store.command([
      'HMGET',
      this.keys.config,
      'fingerprint',
      'settings',
    ])) as (string | null)[]
    if (others.length > 0 && fingerprint && settings) {
      assertSameConfig(
        mine,
        { fingerprint, settings: JSON.parse(settings) as Record<string, unknown> },
        this.nodeId,
      )
      return
    }
    await this.store.command([
      'HSET',
      this.keys.config,
      'fingerprint',
      mine.fingerprint,
      'settings',
      JSON.stringify(mine.settings),
    ])
  }

  async leave(): Promise<void> {
    if (this.state !== 'joined') return
    this.state = 'leaving'
    clearTimeout(this.tickTimer)
    clearInterval(this.watchdog)
    // What was accepted but not yet appended goes in first: it must survive this node.
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    await this.flushing
    await this.flushAppends().catch(() => undefined)
    for (const { item } of this.appends.splice(0)) {
      this.host!.bounce(
        item,
        'remote-server-not-found',
        'federation stopped before the stanza reached the cluster outbox',
      )
    }
    await this.refreshNodes().catch(() => undefined)
    await this.drain(Math.min(Math.floor(this.leaseMs / 2), 2_000))
    const pairs = [...this.owned.values()]
    // Forgotten first: the links closing after this return their stanzas to an owner that ignores them.
    this.owned.clear()
    const successors = [...this.alive].filter((node) => node !== this.nodeId && this.infos.get(node)?.enabled)
    await Promise.allSettled(
      pairs.map(async (pair) => {
        await this.store.script(
          RELEASE,
          [this.keys.lease(pair.local, pair.remote), this.keys.holder(pair.local, pair.remote)],
          [pair.value],
        )
        const to = rendezvous(pairName(pair.local, pair.remote), successors)
        this.emit({ type: 'handover', local: pair.local, remote: pair.remote, from: this.nodeId, to })
        if (to) await this.tell(to, { t: 'claim', l: pair.local, r: pair.remote })
      }),
    )
    // Their stanzas are in the outbox: the next owner delivers them (and reports a bounce itself).
    this.settlements?.resolveAll()
    await Promise.allSettled([
      this.store.command(['DEL', this.keys.heartbeat(this.nodeId)]),
      this.store.command(['HDEL', this.keys.nodes, this.nodeId]),
    ])
    this.state = 'left'
    await this.store.close()
  }

  /**
   * Before giving its pairs up, a stopping node waits (briefly) for the peer to acknowledge what
   * it already wrote: whatever is still unacknowledged at release is sent again by the next owner.
   */
  private async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const pending = await Promise.all(
        [...this.owned.values()].map(async (pair) => {
          if (pair.lastId === undefined) return false
          const written = (await this.store
            .command(['XRANGE', this.keys.outbox(pair.local, pair.remote), '-', pair.lastId, 'COUNT', '1'])
            .catch(() => [])) as unknown[]
          return written.length > 0
        }),
      )
      if (!pending.includes(true)) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /**
   * Test and failure-drill hook: drops the Redis connections and stops every timer without
   * releasing anything, as if the process had died. The leases expire on their own.
   */
  async crash(): Promise<void> {
    this.state = 'left'
    clearTimeout(this.tickTimer)
    clearInterval(this.watchdog)
    clearTimeout(this.flushTimer)
    this.owned.clear()
    await this.store.destroy()
  }

  private async heartbeat(): Promise<void> {
    const info: NodeInfo = {
      nodeId: this.nodeId,
      enabled: this.enabled,
      fingerprint: this.record!.fingerprint,
      startedAt: this.startedAt,
    }
    await Promise.all([
      this.store.command([
        'SET',
        this.keys.heartbeat(this.nodeId),
        String(Date.now()),
        'PX',
        String(this.leaseMs),
      ]),
      this.store.command([
        'HSET',
        this.keys.nodes,
        this.nodeId,
        JSON.stringify({ ...info, seenAt: Date.now() }),
      ]),
      // Redis restarted empty: the record comes back from the nodes still running.
      this.store.command(['HSETNX', this.keys.config, 'fingerprint', this.record!.fingerprint]),
      this.store.command(['HSETNX', this.keys.config, 'settings', JSON.stringify(this.record!.settings)]),
    ])
  }

  /** Reads every node's info and heartbeat: the `alive` set and the node list of status(). */
  private async refreshNodes(): Promise<void> {
    const flat = (await this.store.command(['HGETALL', this.keys.nodes])) as string[]
    const now = Date.now()
    const infos = new Map<string, NodeInfo & { seenAt: number }>()
    for (let i = 0; i + 1 < flat.length; i += 2) {
      try {
        const info = JSON.parse(flat[i + 1]!) as NodeInfo & { seenAt: number }
        infos.set(flat[i]!, info)
      } catch {
        // Not ours to interpret: another writer under this prefix.
      }
    }
    const beats = await Promise.all(
      [...infos.keys()].map((node) => this.store.command(['PTTL', this.keys.heartbeat(node)])),
    )
    const nodes: ClusterNodeStatus[] = []
    const wasAlive = new Set(this.alive)
    this.alive.clear()
    let index = 0
    for (const [nodeId, info] of infos) {
      const alive = Number(beats[index++]) > 0
      const lastSeenMs = Math.max(0, now - (info.seenAt ?? 0))
      // A node dead for a long while is forgotten: the hash must not grow with every node that ever ran.
      if (!alive && lastSeenMs > 60 * this.leaseMs) {
        void this.store.command(['HDEL', this.keys.nodes, nodeId]).catch(() => undefined)
        continue
      }
      if (alive) this.alive.add(nodeId)
      nodes.push({ nodeId, enabled: info.enabled, fingerprint: info.fingerprint, alive, lastSeenMs })
    }
    this.infos = infos
    if (this.state === 'joined') {
      for (const node of wasAlive) if (!this.alive.has(node)) this.emit({ type: 'node-down', nodeId: node })
      for (const node of this.alive) if (!wasAlive.has(node)) this.emit({ type: 'node-up', nodeId: node })
    }
    nodes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0))
    this.snapshot = { ...this.snapshot, nodes }
  }

  /** Live nodes with federation enabled (this one included when it is). */
  private enabledNodes(): string[] {
    const nodes = [...this.alive].filter((node) => this.infos.get(node)?.enabled)
    if (this.enabled && !nodes.includes(this.nodeId)) nodes.push(this.nodeId)
    return nodes.sort()
  }

  // ------------------------------------------------------------------ heartbeat tick

  private scheduleTick(delay = Math.floor(this.leaseMs / 3)): void {
    this.tickTimer = setTimeout(() => void this.tick(), delay)
    this.tickTimer.unref?.()
  }

  /** Every third of a lease: heartbeat, renewals, the node list, orphaned pairs, a status snapshot. */
  private async tick(): Promise<void> {
    if (this.state !== 'joined' || this.ticking) return
    this.ticking = true
    try {
      await this.renewLeases()
      await this.heartbeat()
      await this.refreshNodes()
      await this.scanPairs()
      for (const pair of this.owned.values()) void this.pull(pair)
    } catch (error) {
      this.host?.logger.debug({ error: String(error) }, 'cluster heartbeat failed')
    } finally {
      this.ticking = false
      if (this.state === 'joined') this.scheduleTick()
    }
  }

  private async renewLeases(): Promise<void> {
    await Promise.all(
      [...this.owned.values()].map(async (pair) => {
        if (Date.now() >= pair.deadline) {
          this.lose(pair, 'the lease could not be renewed in time')
          return
        }
        const sentAt = Date.now()
        let result: number
        try {
          result = Number(
            await this.store.script(
              RENEW,
              [this.keys.lease(pair.local, pair.remote)],
              [pair.value, String(this.leaseMs)],
            ),
          )
        } catch {
          return // Redis unreachable: the deadline decides
        }
        if (this.owned.get(pairName(pair.local, pair.remote)) !== pair) return
        if (result === 1) pair.deadline = writeDeadline(sentAt, this.leaseMs)
        else if (result === 0) await this.reclaim(pair, sentAt)
        else this.lose(pair, 'another node holds the lease')
        void this.store
          .command(['SADD', this.keys.pairs, pairName(pair.local, pair.remote)])
          .catch(() => undefined)
      }),
    )
  }

  /** The lease key vanished (Redis restarted empty): take it again with SET NX and keep the link. */
  private async reclaim(pair: Owned, sentAt: number): Promise<void> {
    const reply = (await this.acquireScript(pair.local, pair.remote)) as RedisReply[]
    if (Number(reply[0]) !== 1) {
      this.lose(pair, 'another node took the lease after it vanished')
      return
    }
    const lease = parseLease(String(reply[1]))!
    pair.value = String(reply[1])
    pair.epoch = lease.epoch
    pair.deadline = writeDeadline(sentAt, this.leaseMs)
    this.emit({ type: 'lease-acquired', local: pair.local, remote: pair.remote, epoch: lease.epoch })
  }

  /**
   * Pairs whose lease is free but whose outbox holds stanzas had an owner that vanished: the live
   * enabled node the rendezvous hash picks takes them over. The same pass builds status().
   */
  private async scanPairs(): Promise<void> {
    const names: string[] = []
    let cursor = '0'
    do {
      const [next, members] = (await this.store.command([
        'SSCAN',
        this.keys.pairs,
        cursor,
        'COUNT',
        '200',
      ])) as [string, string[]]
      names.push(...members)
      cursor = next
    } while (cursor !== '0' && names.length < SCAN_PAIRS_PER_TICK)
    const pairs = [...new Set(names)].flatMap((name) => {
      const pair = splitPair(name)
      return pair ? [{ name, ...pair }] : []
    })
    const facts = await Promise.all(
      pairs.map(async ({ local, remote }) => {
        const [value, ttl, depth] = await Promise.all([
          this.store.command(['GET', this.keys.lease(local, remote)]),
          this.store.command(['PTTL', this.keys.lease(local, remote)]),
          this.store.command(['XLEN', this.keys.outbox(local, remote)]),
        ])
        return { value: value as string | null, ttl: Number(ttl), depth: Number(depth) }
      }),
    )
    const leases: ClusterLeaseStatus[] = []
    const outbox: ClusterOutboxStatus[] = []
    const candidates = this.enabledNodes()
    for (const [index, { name, local, remote }] of pairs.entries()) {
      const { value, ttl, depth } = facts[index]!
      if (depth > 0) outbox.push({ local, remote, depth })
      const lease = value ? parseLease(value) : undefined
      if (lease) {
        leases.push({ local, remote, owner: lease.nodeId, epoch: lease.epoch, expiresInMs: Math.max(0, ttl) })
        continue
      }
      if (depth === 0) {
        void this.store.command(['SREM', this.keys.pairs, name]).catch(() => undefined)
        continue
      }
      if (this.enabled && rendezvous(name, candidates) === this.nodeId) void this.acquire(local, remote)
    }
    this.snapshot = { ...this.snapshot, leases, outbox }
  }

  // ------------------------------------------------------------------ leases

  private acquireScript(local: string, remote: string): Promise<RedisReply> {
    const keys = this.keys
    return this.store.script(
      ACQUIRE,
      [
        keys.lease(local, remote),
        keys.epoch(local, remote),
        keys.holder(local, remote),
        keys.outbox(local, remote),
      ],
      [this.nodeId, String(this.leaseMs)],
    )
  }

  /** Takes the pair's lease if it is free, then reads its outbox; a takeover resends what is left. */
  private async acquire(local: string, remote: string): Promise<void> {
    const name = pairName(local, remote)
    if (!this.enabled || this.state !== 'joined' || this.owned.has(name) || this.acquiring.has(name)) return
    this.acquiring.add(name)
    try {
      const sentAt = Date.now()
      const reply = (await this.acquireScript(local, remote)) as RedisReply[]
      if (Number(reply[0]) !== 1) return
      const value = String(reply[1])
      if (this.state !== 'joined') {
        // Stopped meanwhile: give it back rather than leave it to expire.
        await this.store.script(
          RELEASE,
          [this.keys.lease(local, remote), this.keys.holder(local, remote)],
          [value],
        )
        return
      }
      const lease = parseLease(value)!
      const pair: Owned = {
        local,
        remote,
        value,
        epoch: lease.epoch,
        deadline: writeDeadline(sentAt, this.leaseMs),
        lastId: undefined,
        pulling: false,
        again: false,
        acked: [],
        deleting: false,
      }
      this.owned.set(name, pair)
      this.emit({ type: 'lease-acquired', local, remote, epoch: lease.epoch })
      const previous = parseLease(String(reply[2]))
      const left = Number(reply[3])
      if (previous) {
        // The holder never released it (a release clears the holder key): it died, was cut off,
        // or was an earlier life of this very node. Everything left goes out again.
        this.host!.logger.info({ local, remote, from: previous.nodeId, resent: left }, 'route taken over')
        this.emit({ type: 'takeover', local, remote, from: previous.nodeId, resent: left })
        if (left > 0) this.host!.emitResend(local, remote, left)
      }
      await this.pull(pair)
    } catch (error) {
      this.host?.logger.debug({ local, remote, error: String(error) }, 'lease not acquired')
    } finally {
      this.acquiring.delete(name)
    }
  }

  /** Whether this node may still write for the pair: it holds the lease and its deadline has not passed. */
  private mayWrite(pair: Owned): boolean {
    if (this.owned.get(pairName(pair.local, pair.remote)) !== pair) return false
    if (Date.now() < pair.deadline) return true
    this.lose(pair, 'the lease could not be renewed in time')
    return false
  }

  /** Stops writing for the pair and closes its link; nothing is bounced, the outbox keeps it all. */
  private lose(pair: Owned, reason: string): void {
    const name = pairName(pair.local, pair.remote)
    if (this.owned.get(name) !== pair) return
    this.owned.delete(name)
    this.host!.logger.warn(
      { local: pair.local, remote: pair.remote, epoch: pair.epoch, reason },
      'route lease lost',
    )
    this.emit({ type: 'lease-lost', local: pair.local, remote: pair.remote, epoch: pair.epoch, reason })
    void this.host!.abandon(pair.local, pair.remote).catch(() => undefined)
    // Still ours in Redis (a late renewal)? Let it go at once rather than at its expiry.
    void this.store
      .script(
        RELEASE,
        [this.keys.lease(pair.local, pair.remote), this.keys.holder(pair.local, pair.remote)],
        [pair.value],
      )
      .catch(() => undefined)
  }

  // ------------------------------------------------------------------ sending (origin side)

  send(local: string, remote: string, item: PendingStanza): void {
    const host = this.host
    if (!host || this.state !== 'joined' || !this.settlements) {
      host?.bounce(item, 'remote-server-not-found', 'this node is not part of the cluster (stopped)')
      return
    }
    if (this.enabledNodes().length === 0) {
      const reason =
        'no node of the cluster has federation enabled (NO_FEDERATION_NODE): enable it on at least one node'
      if (Date.now() - this.noFederationReportedAt > 1_000) {
        this.noFederationReportedAt = Date.now()
        this.emit({ type: 'no-federation-node', reason })
      }
      host.bounce(item, 'service-unavailable', reason)
      return
    }
    if (this.settlements.full) {
      host.bounce(item, 'resource-constraint', 'too many sends of this node wait for their delivery report')
      return
    }
    const key = `${this.nodeId}#${this.incarnation}#${(this.sequence++).toString(36)}`
    const xml = item.stanza.toString()
    const append: Append = {
      local,
      remote,
      key,
      xml,
      size: Buffer.byteLength(xml),
      expiresAt: item.expiresAt,
    }
    this.settlements.add(key, item, item.expiresAt - Date.now() + this.reportMarginMs)
    this.appends.push({ append, item })
    this.scheduleFlush(0)
  }

  /** How long after a stanza's TTL its origin gives up on the owner's report. */
  private get reportMarginMs(): number {
    return 2 * this.leaseMs + 1_000
  }

  private scheduleFlush(delay: number): void {
    if (this.flushTimer || this.flushing) return
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined
      this.flushing = this.flushAppends().then(
        (failed) => {
          this.flushing = undefined
          // Sends that came meanwhile go at once; a failed batch waits before its retry.
          if (this.appends.length > 0 && this.state === 'joined')
            this.scheduleFlush(failed ? APPEND_RETRY_MS : 0)
        },
        () => {
          this.flushing = undefined
        },
      )
    }, delay)
  }

  /**
   * Appends what send() accepted, in order, as one pipelined batch. What Redis could not take
   * waits at the head (order kept) until its TTL passes, then bounces with remote-server-timeout.
   */
  /** Returns whether some appends failed (they wait at the head of the queue for a retry). */
  private async flushAppends(): Promise<boolean> {
    const batch = this.appends.splice(0)
    if (batch.length === 0) return false
    const keys = this.keys
    const limits = this.host!.config.queue
    const replies = await Promise.allSettled(
      batch.map(({ append }) =>
        this.store.script(
          APPEND,
          [
            keys.outbox(append.local, append.remote),
            keys.outboxBytes(append.local, append.remote),
            keys.lease(append.local, append.remote),
          ],
          [
            String(limits.maxStanzas),
            String(limits.maxBytes),
            String(append.size),
            this.nodeId,
            append.key,
            String(append.expiresAt),
            append.xml,
          ],
        ),
      ),
    )
    const retry: typeof batch = []
    const routed = new Map<string, { local: string; remote: string; lease: string }>()
    for (const [index, reply] of replies.entries()) {
      const { append } = batch[index]!
      if (reply.status === 'rejected') {
        if (append.expiresAt <= Date.now()) {
          this.settlements!.settle(append.key, {
            ok: false,
            condition: 'remote-server-timeout',
            reason: `the cluster store (Redis) was unreachable until the stanza expired: ${(reply.reason as Error).message}`,
          })
        } else retry.push(batch[index]!)
        continue
      }
      const [status, id, lease] = reply.value as string[]
      if (status !== 'ok') {
        this.settlements!.settle(append.key, {
          ok: false,
          condition: 'resource-constraint',
          reason: `the outbox to ${append.remote} is full (queue.${id === 'bytes' ? 'maxBytes' : 'maxStanzas'})`,
        })
        continue
      }
      routed.set(pairName(append.local, append.remote), {
        local: append.local,
        remote: append.remote,
        lease: lease ?? '',
      })
    }
    this.appends.unshift(...retry)
    for (const [name, { local, remote, lease }] of routed) {
      void this.store.command(['SADD', keys.pairs, name]).catch(() => undefined)
      void this.route(local, remote, lease)
    }
    return retry.length > 0
  }

  /** New entries in a pair's outbox: its owner reads them; a free pair gets an owner first. */
  private async route(local: string, remote: string, leaseValue: string): Promise<void> {
    const name = pairName(local, remote)
    const lease = leaseValue ? parseLease(leaseValue) : undefined
    try {
      if (lease?.nodeId === this.nodeId) {
        const pair = this.owned.get(name)
        if (pair) void this.pull(pair)
        return
      }
      if (lease) {
        await this.tell(lease.nodeId, { t: 'pull', l: local, r: remote })
        return
      }
      // Prefer this node (as ejabberd prefers a local link); otherwise the rendezvous choice.
      if (this.enabled && this.state === 'joined') {
        await this.acquire(local, remote)
        return
      }
      const others = this.enabledNodes().filter((node) => node !== this.nodeId || this.state === 'joined')
      const chosen = rendezvous(name, others)
      if (chosen) await this.tell(chosen, { t: 'claim', l: local, r: remote })
    } catch (error) {
      // The next heartbeat's scan finds the pair again.
      this.host?.logger.debug({ local, remote, error: String(error) }, 'could not notify the owner')
    }
  }

  /** Resolves with the number of receivers (0: that node is not subscribed, i.e. gone). */
  private tell(nodeId: string, message: NodeMessage): Promise<number> {
    return this.store.publish(this.keys.channel(nodeId), JSON.stringify(message))
  }

  // ------------------------------------------------------------------ writing (owner side)

  /** Reads the pair's outbox after the last entry handed over and hands each entry to the link. */
  private async pull(pair: Owned): Promise<void> {
    if (pair.pulling) {
      pair.again = true
      return
    }
    pair.pulling = true
    try {
      for (;;) {
        pair.again = false
        if (!this.mayWrite(pair)) return
        const start = pair.lastId === undefined ? '-' : `(${pair.lastId}`
        const entries = (await this.store.command([
          'XRANGE',
          this.keys.outbox(pair.local, pair.remote),
          start,
          '+',
          'COUNT',
          String(PULL_BATCH),
        ])) as [string, string[]][]
        for (const [id, fields] of entries) {
          if (!this.mayWrite(pair)) return
          pair.lastId = id
          this.handOver(pair, id, fieldsOf(fields))
        }
        if (entries.length < PULL_BATCH && !pair.again) return
      }
    } catch (error) {
      this.host?.logger.debug(
        { local: pair.local, remote: pair.remote, error: String(error) },
        'outbox read failed',
      )
    } finally {
      pair.pulling = false
    }
  }

  private handOver(pair: Owned, id: string, fields: Map<string, string>): void {
    const origin = fields.get('origin') ?? ''
    const key = fields.get('key') ?? ''
    const expiresAt = Number(fields.get('expires'))
    const xml = fields.get('xml') ?? ''
    let stanza: Element
    try {
      stanza = parse(xml) as Element
    } catch (error) {
      this.deleteEntries(pair, [id])
      this.report(origin, key, undefined, {
        ok: false,
        condition: 'bad-request',
        reason: `unreadable outbox entry: ${(error as Error).message}`,
      })
      return
    }
    if (!(expiresAt > Date.now())) {
      this.deleteEntries(pair, [id])
      this.report(origin, key, stanza, {
        ok: false,
        condition: 'remote-server-timeout',
        reason: `not delivered to ${pair.remote} in time`,
      })
      return
    }
    let reported = false
    const item: PendingStanza = {
      stanza,
      expiresAt,
      answer: stanza.name === 'iq' && (stanza.attrs.type === 'result' || stanza.attrs.type === 'error'),
      resolve: () => {
        if (reported) return
        reported = true
        this.report(origin, key, stanza, { ok: true })
      },
      reject: () => undefined,
      durable: {
        mayWrite: () => this.mayWrite(pair),
        acked: () => this.ackEntry(pair, id),
        bounced: (condition, reason) => {
          // A lease lost or given up: the next owner sends it, nothing bounces.
          if (this.owned.get(pairName(pair.local, pair.remote)) !== pair || this.state !== 'joined') return
          this.deleteEntries(pair, [id])
          if (!reported) {
            reported = true
            this.report(origin, key, stanza, { ok: false, condition, reason })
          }
        },
      },
    }
    this.host!.write(pair.local, pair.remote, item)
  }

  private ackEntry(pair: Owned, id: string): void {
    pair.acked.push(id)
    if (pair.deleting) return
    pair.deleting = true
    setImmediate(() => {
      pair.deleting = false
      const ids = pair.acked.splice(0)
      if (ids.length > 0) this.deleteEntries(pair, ids)
    })
  }

  /** Trims the outbox, fenced by the lease value: a node that lost the pair deletes nothing. */
  private deleteEntries(pair: Owned, ids: string[]): void {
    const keys = this.keys
    this.store
      .script(
        DELETE,
        [
          keys.lease(pair.local, pair.remote),
          keys.outbox(pair.local, pair.remote),
          keys.outboxBytes(pair.local, pair.remote),
        ],
        [pair.value, ...ids],
      )
      .then(
        (deleted) => {
          if (Number(deleted) === -1) this.lose(pair, 'the lease changed hands (fencing refused a trim)')
        },
        // Redis unreachable: the entries stay, and may be sent again by a later owner (at-least-once).
        (error: Error) => this.host?.logger.debug({ error: error.message }, 'outbox trim failed'),
      )
  }

  /** Tells the origin node how its send ended; if it is gone, a bounce is reported here instead. */
  private report(origin: string, key: string, stanza: Element | undefined, outcome: Outcome): void {
    if (origin === this.nodeId) {
      this.settlements?.settle(key, outcome)
      return
    }
    const message: NodeMessage = outcome.ok
      ? { t: 'outcome', k: key, ok: true }
      : { t: 'outcome', k: key, ok: false, c: outcome.condition, m: outcome.reason }
    const bounceHere = () => {
      if (!outcome.ok && stanza) {
        this.host!.bounce(
          { stanza, expiresAt: 0, resolve: noop, reject: noop },
          outcome.condition,
          outcome.reason,
        )
      }
    }
    // Nobody listening on the origin's channel: it is gone, and its sender hears of a bounce from here.
    this.tell(origin, message).then((receivers) => {
      if (receivers === 0) bounceHere()
    }, bounceHere)
  }

  // ------------------------------------------------------------------ messages from other nodes

  private onMessage(text: string): void {
    const message = parseMessage(text)
    if (!message) {
      this.host?.logger.warn({ message: text.slice(0, 200) }, 'malformed cluster message ignored')
      return
    }
    if (this.state !== 'joined') return
    switch (message.t) {
      case 'pull': {
        const pair = this.owned.get(pairName(message.l, message.r))
        if (pair) void this.pull(pair)
        // The sender believed us the owner but we are not (any more): take it if it is free.
        else void this.acquire(message.l, message.r)
        return
      }
      case 'claim':
        void this.acquire(message.l, message.r)
        return
      case 'hello':
        void this.refreshNodes().catch(() => undefined)
        return
      case 'outcome':
        this.settlements?.settle(
          message.k,
          message.ok
            ? { ok: true }
            : {
                ok: false,
                condition: message.c ?? 'undefined-condition',
                reason: message.m ?? 'bounced by the owner',
              },
        )
        return
      case 'inbound':
      case 'answer': {
        let stanza: Element
        try {
          stanza = parse(message.x) as Element
        } catch {
          this.host?.logger.warn({}, 'unreadable stanza from another node ignored')
          return
        }
        const info: InboundStanzaInfo = { localDomain: message.l, remoteDomain: message.r }
        if (message.t === 'inbound') this.host!.deliver(stanza, info)
        else this.host!.answer(stanza, info)
      }
    }
  }

  // ------------------------------------------------------------------ inbound

  deliverElsewhere(stanza: Element, info: InboundStanzaInfo): boolean {
    const locate = this.options.locate
    if (!locate || this.state !== 'joined') return false
    const parts = parseAddress(stanza.attrs.to ?? '')
    if (parts?.local === undefined) return false
    const target = locate(`${parts.local.toLowerCase()}@${parts.domain}`)
    if (!target || target === this.nodeId) return false
    this.forward(
      target,
      { t: 'inbound', l: info.localDomain, r: info.remoteDomain, x: stanza.toString() },
      () => this.host!.deliver(stanza, info),
    )
    return true
  }

  forwardAnswer(stanza: Element, info: InboundStanzaInfo): boolean {
    if (this.state !== 'joined') return false
    const target = requesterOf(stanza.attrs.id ?? '')
    if (!target || target === this.nodeId) return false
    this.forward(
      target,
      { t: 'answer', l: info.localDomain, r: info.remoteDomain, x: stanza.toString() },
      () => this.host!.answer(stanza, info),
    )
    return true
  }

  /** Publishes to another node; if Redis cannot take it, the stanza is handled here after all. */
  private forward(target: string, message: NodeMessage, fallback: () => void): void {
    this.tell(target, message).catch((error: Error) => {
      this.host?.logger.warn(
        { node: target, error: error.message },
        'could not forward to another node: handled here',
      )
      fallback()
    })
  }

  requestId(): string {
    return `xfc.${Buffer.from(this.nodeId).toString('base64url')}.${randomBytes(8).toString('hex')}`
  }

  // ------------------------------------------------------------------ shared XEP-0092 answers

  readonly peerSoftware: SharedPeerSoftwareCache = {
    get: async (remote) => {
      if (this.state !== 'joined') return undefined
      const text = (await this.store.command(['GET', this.keys.peerSoftware(remote)])) as string | null
      if (text === null) return undefined
      const parsed = JSON.parse(text) as { software: PeerSoftware | null }
      return { value: parsed.software ?? undefined }
    },
    set: (remote, software, ttlMs) => {
      if (this.state !== 'joined') return
      const text = JSON.stringify({ software: software ?? null })
      void this.store
        .command(['SET', this.keys.peerSoftware(remote), text, 'PX', String(Math.max(1, Math.floor(ttlMs)))])
        .catch(() => undefined)
    },
  }

  // ------------------------------------------------------------------ status

  status(): ClusterStatus {
    return this.snapshot
  }

  private emit(event: ClusterEvent): void {
    try {
      this.host?.emitCluster(event)
    } catch (error) {
      this.host?.logger.error({ error: String(error) }, 'a cluster event listener threw')
    }
  }
}

/** The node a request id names (see requestId), if it is one of ours. */
export function requesterOf(id: string): string | undefined {
  const match = /^xfc\.([A-Za-z0-9_-]+)\.[0-9a-f]+$/.exec(id)
  return match ? Buffer.from(match[1]!, 'base64url').toString() : undefined
}

function fieldsOf(flat: string[]): Map<string, string> {
  const fields = new Map<string, string>()
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!)
  return fields
}

function noop(): void {}
