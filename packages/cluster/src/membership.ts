import type { ClusterNodeStatus } from '@xmpp-federation/router'
import { assertSameConfig, type ConfigRecord } from './config-record.js'
import type { ClusterKeys } from './keys.js'
import { CONFIG_VERSION_FLOOR } from './scripts.js'
import type { RedisStore } from './store.js'

// Who is in the cluster: each node's heartbeat key (PX leaseMs) and its info in one hash, read
// back on every heartbeat into the `alive` set and the node list of status().

interface NodeInfo {
  nodeId: string
  enabled: boolean
  fingerprint: string
  /** The cluster configuration version it runs (absent from nodes older than versions). */
  configVersion?: number
  startedAt: number
  /** The node's own leaseMs: its heartbeat's lifetime. */
  leaseMs?: number
  /** Its clock when it last wrote this, for nodes whose heartbeat is gone. */
  seenAt?: number
}

/** Nodes that came and went between two reads. */
export interface MembershipChange {
  readonly up: string[]
  readonly down: string[]
}

export class Membership {
  /** Node list for status(), sorted by id. */
  nodes: readonly ClusterNodeStatus[] = []
  private infos = new Map<string, NodeInfo>()
  private readonly alive = new Set<string>()
  private readonly startedAt = Date.now()

  constructor(
    private readonly store: RedisStore,
    private readonly keys: ClusterKeys,
    private readonly nodeId: string,
    private readonly leaseMs: number,
  ) {}

  isAlive(nodeId: string): boolean {
    return this.alive.has(nodeId)
  }

  /** Live nodes other than this one. */
  others(): string[] {
    return [...this.alive].filter((node) => node !== this.nodeId)
  }

  /** Live nodes with federation enabled, other than this one; plus this one when `includeSelf`. */
  enabledNodes(includeSelf: boolean): string[] {
    const nodes = [...this.alive].filter((node) => node !== this.nodeId && this.infos.get(node)?.enabled)
    if (includeSelf) nodes.push(this.nodeId)
    return nodes.sort()
  }

  /** This node's heartbeat and info; also puts the configuration record (and version) back after a Redis restart. */
  async heartbeat(enabled: boolean, record: ConfigRecord, configVersion = 0): Promise<void> {
    const info: NodeInfo = {
      nodeId: this.nodeId,
      enabled,
      fingerprint: record.fingerprint,
      configVersion,
      startedAt: this.startedAt,
      leaseMs: this.leaseMs,
      seenAt: Date.now(),
    }
    await Promise.all([
      this.store.command([
        'SET',
        this.keys.heartbeat(this.nodeId),
        String(Date.now()),
        'PX',
        String(this.leaseMs),
      ]),
      this.store.command(['HSET', this.keys.nodes, this.nodeId, JSON.stringify(info)]),
      this.store.command(['HSETNX', this.keys.config, 'fingerprint', record.fingerprint]),
      this.store.command(['HSETNX', this.keys.config, 'settings', JSON.stringify(record.settings)]),
      ...(configVersion > 0
        ? [this.store.script(CONFIG_VERSION_FLOOR, [this.keys.config], [String(configVersion)])]
        : []),
    ])
  }

  /** Reads every node's info and heartbeat; returns who came up and who went down since the last read. */
  async refresh(): Promise<MembershipChange> {
    const flat = (await this.store.command(['HGETALL', this.keys.nodes])) as string[]
    const now = Date.now()
    const infos = new Map<string, NodeInfo>()
    for (let i = 0; i + 1 < flat.length; i += 2) {
      try {
        infos.set(flat[i]!, JSON.parse(flat[i + 1]!) as NodeInfo)
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
      const ttl = Number(beats[index++])
      const alive = ttl > 0
      // Alive: measured on Redis' clock (the heartbeat's age), immune to skew between nodes.
      const lastSeenMs = alive
        ? Math.max(0, (info.leaseMs ?? this.leaseMs) - ttl)
        : Math.max(0, now - (info.seenAt ?? 0))
      // A node dead for a long while is forgotten: the hash must not grow with every node that ever ran.
      if (!alive && lastSeenMs > 60 * this.leaseMs) {
        void this.store.command(['HDEL', this.keys.nodes, nodeId]).catch(() => undefined)
        continue
      }
      if (alive) this.alive.add(nodeId)
      nodes.push({
        nodeId,
        enabled: info.enabled,
        fingerprint: info.fingerprint,
        configVersion: info.configVersion ?? 0,
        alive,
        lastSeenMs,
      })
    }
    this.infos = infos
    this.nodes = nodes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0))
    return {
      up: [...this.alive].filter((node) => !wasAlive.has(node)),
      down: [...wasAlive].filter((node) => !this.alive.has(node)),
    }
  }

  /**
   * The first node (none other alive) records the configuration; every other must match it.
   * `enabled` and the other node-local settings are not compared (see config-record.ts).
   */
  async checkConfig(mine: ConfigRecord): Promise<void> {
    const [fingerprint, settings] = (await this.store.command([
      'HMGET',
      this.keys.config,
      'fingerprint',
      'settings',
    ])) as (string | null)[]
    if (this.others().length > 0 && fingerprint && settings) {
      const recorded = { fingerprint, settings: JSON.parse(settings) as Record<string, unknown> }
      assertSameConfig(mine, recorded, this.nodeId)
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

  /** A node stopping in good order leaves the list at once rather than when its heartbeat expires. */
  async leave(): Promise<void> {
    await Promise.allSettled([
      this.store.command(['DEL', this.keys.heartbeat(this.nodeId)]),
      this.store.command(['HDEL', this.keys.nodes, this.nodeId]),
    ])
  }
}
