import {
  type FederationConfig,
  type FederationConfigInput,
  NODE_LOCAL_SETTINGS,
} from '@xmpp-federation/config'
import type { ClusterEvent, ClusterHost } from '@xmpp-federation/router'
import { type ConfigRecord, configRecord } from './config-record.js'
import type { ClusterKeys } from './keys.js'
import { PUBLISH_CONFIG } from './scripts.js'
import type { RedisStore } from './store.js'

// One configuration for the whole cluster, changed on any node. `reconfigure()` applies a new
// configuration on the node it was called on first (so that one that does not validate never
// leaves it), then records it in Redis under the next version and tells the others, which
// apply it in turn; a node that misses the message finds the version on its next heartbeat.
// A node that cannot apply it (a certificate file missing on that machine...) says so — an
// event, a log line, an entry in a hash every node can read — and stops owning pairs, so that
// the cluster's traffic goes through nodes that run the cluster's configuration.

/** What a node learns of the cluster's configuration as it changes. */
export interface ConfigSyncEvents {
  emit(event: ClusterEvent): void
  /** This node's configuration record changed (applied), or it fell out of step (refused). */
  changed(record: ConfigRecord | undefined): void
}

export class ConfigSync {
  /** The cluster configuration version this node runs: 0 until a node reconfigures. */
  version = 0
  /** The version this node could not apply, and why; cleared by the next one it applies. */
  refused: { readonly version: number; readonly reason: string } | undefined
  private queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: RedisStore,
    private readonly keys: ClusterKeys,
    private readonly nodeId: string,
    private readonly host: ClusterHost,
    private readonly events: ConfigSyncEvents,
  ) {}

  /** At join, after the fingerprint check passed: this node runs the cluster's current version. */
  async joined(): Promise<void> {
    this.version = Number((await this.store.command(['HGET', this.keys.config, 'version'])) ?? 0)
  }

  /**
   * Records the configuration this node just applied as the cluster's next version and returns
   * it; a change of node-local settings only (same fingerprint) is nobody else's business.
   */
  async publish(): Promise<number> {
    const config = this.host.config
    const record = configRecord(config)
    const current = await this.store.command(['HGET', this.keys.config, 'fingerprint'])
    if (current === record.fingerprint) {
      this.events.changed(record) // `enabled` is node-local and may be what changed
      return this.version
    }
    const version = Number(
      await this.store.script(
        PUBLISH_CONFIG,
        [this.keys.config],
        [record.fingerprint, JSON.stringify(record.settings), JSON.stringify(config), this.nodeId],
      ),
    )
    this.version = version
    this.refused = undefined
    await this.store.command(['HDEL', this.keys.configRefusals, this.nodeId])
    this.events.changed(record)
    this.events.emit({ type: 'config-published', version, fingerprint: record.fingerprint })
    return version
  }

  /** A node announced `version` (or the heartbeat asks): applies the cluster's latest once, in order. */
  catchUp(announced?: number): Promise<void> {
    this.queue = this.queue
      .then(() => this.apply(announced))
      .catch((error: Error) => {
        this.host.logger.debug({ error: error.message }, 'cluster configuration check failed')
      })
    return this.queue
  }

  private async apply(announced: number | undefined): Promise<void> {
    if (announced !== undefined && announced <= this.version) return
    const [rawVersion, document, from] = (await this.store.command([
      'HMGET',
      this.keys.config,
      'version',
      'document',
      'from',
    ])) as (string | null)[]
    const version = Number(rawVersion ?? 0)
    if (version <= this.version || !document || this.refused?.version === version) return
    const origin = from ?? 'unknown'
    try {
      await this.host.applyConfig(withNodeLocalSettings(JSON.parse(document), this.host.config))
    } catch (error) {
      const reason = (error as Error).message
      this.refused = { version, reason }
      this.host.logger.error(
        { version, from: origin, error: reason },
        'this node cannot apply the cluster configuration: it keeps its own and owns no pairs',
      )
      this.events.emit({ type: 'config-refused', version, from: origin, reason })
      this.events.changed(undefined)
      await this.store.command([
        'HSET',
        this.keys.configRefusals,
        this.nodeId,
        JSON.stringify({ version, reason, at: Date.now() }),
      ])
      return
    }
    this.version = version
    this.refused = undefined
    const record = configRecord(this.host.config)
    await this.store.command(['HDEL', this.keys.configRefusals, this.nodeId])
    this.events.changed(record)
    this.events.emit({ type: 'config-applied', version, from: origin, fingerprint: record.fingerprint })
  }
}

/**
 * The published configuration with this node's own node-local settings (`enabled`, `listen`,
 * its certificate files...): those differ from node to node by design and never travel.
 */
export function withNodeLocalSettings(
  published: Record<string, unknown>,
  mine: FederationConfig,
): FederationConfigInput {
  const merged = structuredClone(published)
  const own = mine as unknown as Record<string, unknown>
  for (const path of NODE_LOCAL_SETTINGS) {
    const keys = path.split('.')
    const value = keys.reduce<unknown>(
      (object, key) => (object as Record<string, unknown> | undefined)?.[key],
      own,
    )
    const parent = keys.slice(0, -1).reduce<Record<string, unknown> | undefined>((object, key) => {
      if (!object) return undefined
      object[key] ??= {}
      return object[key] as Record<string, unknown>
    }, merged)
    if (!parent) continue
    const last = keys[keys.length - 1]!
    if (value === undefined) delete parent[last]
    else parent[last] = structuredClone(value)
  }
  return merged as FederationConfigInput
}
