import { randomBytes } from 'node:crypto'
import type { PeerSoftware } from '@xmpp-federation/policy'
import type {
  ClusterEvent,
  ClusterHost,
  ClusterLeaseStatus,
  ClusterOutboxStatus,
  ClusterPort,
  ClusterStatus,
  InboundStanzaInfo,
  PendingStanza,
  SharedPeerSoftwareCache,
} from '@xmpp-federation/router'
import { parseAddress } from '@xmpp-federation/stream'
import { type Element, parse } from 'ltx'
import { Appender } from './appender.js'
import { type ConfigRecord, configRecord } from './config-record.js'
import { ConfigSync } from './config-sync.js'
import { ClusterKeys, pairName, splitPair } from './keys.js'
import { parseLease, writeDeadline } from './lease.js'
import { Membership } from './membership.js'
import { type NodeMessage, parseMessage } from './messages.js'
import { rendezvous } from './rendezvous.js'
import { ACQUIRE, DELETE, RELEASE, RENEW } from './scripts.js'
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

/** Route lease and heartbeat lifetime unless `leaseMs` says otherwise. */
export const DEFAULT_LEASE_MS = 10_000
/** Prefix of every key unless `prefix` says otherwise. */
export const DEFAULT_PREFIX = 'xf'
const PULL_BATCH = 200
/** Outbox pairs examined per heartbeat for status and for owners that vanished. */
const SCAN_PAIRS_PER_TICK = 1_000

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
  /** Entries the peer acknowledged, deleted together once the current burst of acks is read. */
  acked: string[]
  deleting: boolean
  /** Last entry handed over or acknowledged: an owner gives up pairs idle for timeouts.idleMs. */
  lastActivity: number
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
  /** Whether this node takes pairs: federation enabled, and running the cluster's configuration. */
  private enabled = false
  private configSync: ConfigSync | undefined
  /** Outcomes whose report failed for want of Redis (bounded: the oldest go, their origins' timers settle them). */
  private readonly unreported: {
    origin: string
    key: string
    stanza: Element | undefined
    outcome: Outcome
  }[] = []
  private state: 'new' | 'joined' | 'leaving' | 'left' = 'new'
  private readonly owned = new Map<string, Owned>()
  private readonly acquiring = new Set<string>()
  private settlements: Settlements | undefined
  private appender: Appender | undefined
  private tickTimer: NodeJS.Timeout | undefined
  /** Checks the write deadlines on its own: a renewal stuck on a silent Redis must not keep a link open. */
  private watchdog: NodeJS.Timeout | undefined
  private ticking = false
  private sequence = 0
  private noFederationReportedAt = 0
  private snapshot: ClusterStatus
  private readonly membership: Membership
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
    const prefix = options.prefix ?? DEFAULT_PREFIX
    // Braces would move keys out of their pair's hash tag (and slot).
    if (!prefix || /[\s{}]/.test(prefix)) {
      throw new TypeError(
        `redisCluster: prefix must be a non-empty name without spaces or braces (got '${prefix}')`,
      )
    }
    this.keys = new ClusterKeys(prefix)
    this.store = new RedisStore(
      options.url,
      {
        unavailable: (error) => this.emit({ type: 'redis-unavailable', error: error.message }),
        restored: () => this.emit({ type: 'redis-restored' }),
      },
      options.redisCluster ?? false,
    )
    this.membership = new Membership(this.store, this.keys, this.nodeId, this.leaseMs)
    this.snapshot = {
      nodeId: this.nodeId,
      fingerprint: '',
      configVersion: 0,
      nodes: [],
      leases: [],
      outbox: [],
    }
  }

  // ------------------------------------------------------------------ membership

  async join(host: ClusterHost): Promise<void> {
    if (this.state !== 'new')
      throw new Error('this cluster node has joined before: make a new redisCluster() per Federation')
    this.host = host
    this.enabled = host.config.enabled
    this.record = configRecord(host.config)
    this.settlements = new Settlements(
      this.options.maxPendingSends ?? 10_000,
      (item, condition, reason) => host.bounce(item, condition, reason),
      (key) => this.takeRecordedOutcome(key),
    )
    const settlements = this.settlements
    this.appender = new Appender({
      store: this.store,
      keys: this.keys,
      nodeId: this.nodeId,
      limits: host.config.queue,
      settle: (key, outcome) => settlements.settle(key, outcome),
      appended: (local, remote, lease) => void this.route(local, remote, lease),
    })
    this.snapshot = { ...this.snapshot, fingerprint: this.record.fingerprint }
    await this.store.connect()
    try {
      await this.refreshNodes()
      await this.membership.checkConfig(this.record)
      this.configSync = new ConfigSync(this.store, this.keys, this.nodeId, host, {
        emit: (event) => this.emit(event),
        changed: (record) => void this.configChanged(record),
      })
      await this.configSync.joined()
      this.snapshot = { ...this.snapshot, configVersion: this.configSync.version }
      await this.store.subscribe(this.keys.channel(this.nodeId), (message) => this.onMessage(message))
      await this.membership.heartbeat(this.enabled, this.record, this.configSync.version)
      await this.refreshNodes()
    } catch (error) {
      await this.store.destroy()
      throw error
    }
    this.state = 'joined'
    this.emit({ type: 'joined', nodeId: this.nodeId, fingerprint: this.record.fingerprint })
    // The others learn of this node now rather than at their next heartbeat.
    for (const node of this.membership.others()) void this.tell(node, { t: 'hello' }).catch(() => undefined)
    this.scheduleTick(0)
    this.watchdog = setInterval(
      () => {
        for (const pair of [...this.owned.values()]) this.mayWrite(pair)
      },
      Math.max(50, Math.floor(this.leaseMs / 10)),
    )
    this.watchdog.unref?.()
  }

  async leave(): Promise<void> {
    if (this.state !== 'joined') return
    this.state = 'leaving'
    clearTimeout(this.tickTimer)
    clearInterval(this.watchdog)
    // What was accepted but not yet appended goes in first: it must survive this node.
    for (const key of (await this.appender?.finish()) ?? []) {
      this.settlements?.settle(key, {
        ok: false,
        condition: 'remote-server-not-found',
        reason: 'federation stopped before the stanza reached the cluster outbox',
      })
    }
    await this.refreshNodes().catch(() => undefined)
    await this.drain(Math.min(Math.floor(this.leaseMs / 2), 2_000))
    await this.handOverAll()
    // Their stanzas are in the outbox: the next owner delivers them (and reports a bounce itself).
    this.settlements?.resolveAll()
    await this.membership.leave()
    this.state = 'left'
    await this.store.close()
  }

  /** Releases every pair this node owns and tells each pair's successor to claim it. */
  private async handOverAll(): Promise<void> {
    const pairs = [...this.owned.values()]
    // Forgotten first: the links closing after this return their stanzas to an owner that ignores them.
    this.owned.clear()
    const successors = this.membership.enabledNodes(false)
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
  }

  // ------------------------------------------------------------------ configuration

  /**
   * `reconfigure()` applied a configuration on this node: it becomes the cluster's next version,
   * which every other node applies (see config-sync.ts). Resolves with that version.
   */
  async publishConfig(): Promise<number> {
    if (this.state !== 'joined' || !this.configSync) throw new Error('this node has not joined its cluster')
    const before = this.configSync.version
    const version = await this.configSync.publish()
    if (version !== before) {
      await Promise.allSettled(
        this.membership.others().map((node) => this.tell(node, { t: 'config', v: version })),
      )
    }
    return version
  }

  /** A configuration applied (its record) or refused (undefined): whether this node still takes pairs. */
  private async configChanged(record: ConfigRecord | undefined): Promise<void> {
    if (record) this.record = record
    this.snapshot = {
      ...this.snapshot,
      fingerprint: this.record?.fingerprint ?? '',
      configVersion: this.configSync?.version ?? 0,
      configRefused: this.configSync?.refused,
    }
    const enabled = record !== undefined && this.host!.config.enabled
    if (enabled === this.enabled) return
    this.enabled = enabled
    await this.membership
      .heartbeat(this.enabled, this.record!, this.configSync?.version)
      .catch(() => undefined)
    if (!enabled) await this.handOverAll()
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
    this.appender?.abandon()
    this.owned.clear()
    await this.store.destroy()
  }

  /** Reads the membership; reports nodes that came and went once this node has joined. */
  private async refreshNodes(): Promise<void> {
    const change = await this.membership.refresh()
    this.snapshot = { ...this.snapshot, nodes: this.membership.nodes }
    if (this.state !== 'joined') return
    for (const nodeId of change.down) this.emit({ type: 'node-down', nodeId })
    for (const nodeId of change.up) this.emit({ type: 'node-up', nodeId })
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
      // A `config` message may have been lost (pub/sub is not durable): the version is in Redis.
      await this.configSync?.catchUp()
      await this.settleRecordedOutcomes()
      this.reportAgain()
      await this.membership.heartbeat(this.enabled, this.record!, this.configSync?.version)
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
    const candidates = this.membership.enabledNodes(this.enabled)
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
    await this.releaseIdle()
  }

  /**
   * Pairs without traffic for `timeouts.idleMs` and with an empty outbox are given up in good
   * order, so that the leases a node renews follow its live pairs, not every domain it ever
   * wrote to. The next stanza takes the pair again (preferably on the node that sends it).
   */
  private async releaseIdle(): Promise<void> {
    const idleMs = this.host!.config.timeouts.idleMs
    const idle = [...this.owned.values()].filter((pair) => Date.now() - pair.lastActivity >= idleMs)
    await Promise.all(
      idle.map(async (pair) => {
        const depth = Number(await this.store.command(['XLEN', this.keys.outbox(pair.local, pair.remote)]))
        const name = pairName(pair.local, pair.remote)
        if (
          depth > 0 ||
          pair.pulling ||
          this.owned.get(name) !== pair ||
          Date.now() - pair.lastActivity < idleMs
        )
          return
        this.owned.delete(name)
        await this.store.script(
          RELEASE,
          [this.keys.lease(pair.local, pair.remote), this.keys.holder(pair.local, pair.remote)],
          [pair.value],
        )
      }),
    )
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
        lastActivity: Date.now(),
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
    if (!host || this.state !== 'joined' || !this.settlements || !this.appender) {
      host?.bounce(item, 'remote-server-not-found', 'this node is not part of the cluster (stopped)')
      return
    }
    if (this.membership.enabledNodes(this.enabled).length === 0) {
      const reason =
        'no node of the cluster has federation enabled (NO_FEDERATION_NODE): enable it on at least one node'
      if (Date.now() - this.noFederationReportedAt > 1_000) {
        this.noFederationReportedAt = Date.now()
        this.emit({ type: 'no-federation-node', reason })
      }
      host.bounce(item, 'service-unavailable', reason)
      return
    }
    // A Redis that stopped answering: settlements time out, but their appends still wait here.
    if (this.settlements.full || this.appender.size >= this.settlements.max) {
      host.bounce(item, 'resource-constraint', 'too many sends of this node wait for their delivery report')
      return
    }
    const key = `${this.nodeId}#${this.incarnation}#${(this.sequence++).toString(36)}`
    const xml = item.stanza.toString()
    this.settlements.add(key, item, item.expiresAt - Date.now() + this.reportMarginMs)
    this.appender.add({ local, remote, key, xml, size: Buffer.byteLength(xml), expiresAt: item.expiresAt })
  }

  /** How long after a stanza's TTL its origin gives up on the owner's report. */
  private get reportMarginMs(): number {
    return 2 * this.leaseMs + 1_000
  }

  /** New entries in a pair's outbox: its owner reads them; a free pair gets an owner first. */
  private async route(local: string, remote: string, leaseValue: string): Promise<void> {
    const name = pairName(local, remote)
    const lease = leaseValue ? parseLease(leaseValue) : undefined
    try {
      if (lease?.nodeId === this.nodeId) {
        const pair = this.owned.get(name)
        // Not (any more) ours here: released as idle a moment ago, or an earlier life's lease.
        if (pair) void this.pull(pair)
        else void this.acquire(local, remote)
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
      // Disabled, or stopping: another enabled node.
      const chosen = rendezvous(name, this.membership.enabledNodes(false))
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
          pair.lastActivity = Date.now()
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
    pair.lastActivity = Date.now()
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
    // Nobody listening on the origin's channel: if it is gone, its sender hears of a bounce from
    // here; if it is alive (resubscribing after a Redis restart), the outcome waits in Redis for it.
    // Redis failing says nothing about the origin: its own timer settles the send.
    this.tell(origin, message).then(
      (receivers) => {
        if (receivers > 0) return
        if (this.membership.isAlive(origin)) void this.recordOutcome(origin, key, outcome)
        else bounceHere()
      },
      (error: Error) => {
        // Redis down (restarting): told again on a later heartbeat, before the origin's timer runs out.
        this.host?.logger.debug({ origin, error: error.message }, 'outcome not reported yet')
        if (this.unreported.length >= MAX_UNREPORTED) this.unreported.shift()
        this.unreported.push({ origin, key, stanza, outcome })
      },
    )
  }

  /** On the heartbeat: the outcomes Redis could not carry when they happened, told again. */
  private reportAgain(): void {
    for (const { origin, key, stanza, outcome } of this.unreported.splice(0))
      this.report(origin, key, stanza, outcome)
  }

  /** Keeps an outcome its origin did not hear, for it to read back (see keys.outcomes). */
  private async recordOutcome(origin: string, key: string, outcome: Outcome): Promise<void> {
    const hash = this.keys.outcomes(origin)
    try {
      await this.store.command(['HSET', hash, key, JSON.stringify(outcome)])
      await this.store.command(['PEXPIRE', hash, String(RECORDED_OUTCOME_LIFETIME_MS)])
    } catch (error) {
      // Redis went down in between: told (or recorded) again on a later heartbeat.
      this.host?.logger.debug({ origin, error: (error as Error).message }, 'outcome not recorded yet')
      if (this.unreported.length >= MAX_UNREPORTED) this.unreported.shift()
      this.unreported.push({ origin, key, stanza: undefined, outcome })
    }
  }

  /** The outcome of one of this node's sends that another node recorded, removed as it is read. */
  private async takeRecordedOutcome(key: string): Promise<Outcome | undefined> {
    const hash = this.keys.outcomes(this.nodeId)
    const recorded = await this.store.command(['HGET', hash, key])
    if (typeof recorded !== 'string') return undefined
    await this.store.command(['HDEL', hash, key])
    return parseOutcome(recorded)
  }

  /** On the heartbeat, while sends wait: settles those whose outcome was recorded rather than told. */
  private async settleRecordedOutcomes(): Promise<void> {
    if (!this.settlements || this.settlements.size === 0) return
    const hash = this.keys.outcomes(this.nodeId)
    const flat = (await this.store.command(['HGETALL', hash])) as string[]
    if (flat.length === 0) return
    const read: string[] = []
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const key = flat[i]!
      const outcome = parseOutcome(flat[i + 1]!)
      if (outcome && this.settlements.has(key)) this.settlements.settle(key, outcome)
      read.push(key)
    }
    await this.store.command(['HDEL', hash, ...read])
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
      case 'config':
        void this.configSync?.catchUp(message.v)
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
    // The id comes from the peer: only a live node of ours is worth a message, the rest is handled here.
    if (!target || target === this.nodeId || !this.membership.isAlive(target)) return false
    this.forward(
      target,
      { t: 'answer', l: info.localDomain, r: info.remoteDomain, x: stanza.toString() },
      () => this.host!.answer(stanza, info),
    )
    return true
  }

  /**
   * Publishes to another node; if Redis cannot take it, or nobody listens on that node's
   * channel (it went away), the stanza is handled here after all: never dropped on the way.
   */
  private forward(target: string, message: NodeMessage, fallback: () => void): void {
    this.tell(target, message).then(
      (receivers) => {
        if (receivers > 0) return
        this.host?.logger.warn({ node: target }, 'nobody listens for that node: handled here')
        fallback()
      },
      (error: Error) => {
        this.host?.logger.warn(
          { node: target, error: error.message },
          'could not forward to another node: handled here',
        )
        fallback()
      },
    )
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
      const parsed = JSON.parse(text) as { software: PeerSoftware | null; at?: number }
      const answeredAt = typeof parsed.at === 'number' && Number.isFinite(parsed.at) ? parsed.at : undefined
      return { value: parsed.software ?? undefined, ...(answeredAt === undefined ? {} : { answeredAt }) }
    },
    set: (remote, software, ttlMs, answeredAt) => {
      if (this.state !== 'joined') return
      // The time goes with the answer: a node that reads it knows whether it is fresh or only known.
      const text = JSON.stringify({
        software: software ?? null,
        ...(answeredAt === undefined ? {} : { at: answeredAt }),
      })
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

/** Outcomes kept for a second try while Redis is out of reach. */
const MAX_UNREPORTED = 10_000

/** How long an outcome nobody heard waits in Redis for its origin (which reads it within a lease). */
const RECORDED_OUTCOME_LIFETIME_MS = 5 * 60_000

/** An outcome as recordOutcome wrote it; undefined for anything else under that key. */
function parseOutcome(text: string): Outcome | undefined {
  try {
    const value = JSON.parse(text) as Outcome
    if (value.ok === true) return { ok: true }
    if (value.ok === false && typeof value.condition === 'string' && typeof value.reason === 'string')
      return value
  } catch {
    // not ours
  }
  return undefined
}
