import type { FederationConfig, FederationConfigInput } from '@xmpp-federation/config'
import type { PeerSoftware } from '@xmpp-federation/policy'
import type { Logger, StanzaErrorCondition } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import type { PendingStanza } from './queue.js'
import type { ReconfigureReport } from './reconfigure/report.js'
import type { InboundStanzaInfo } from './types.js'

// The seam between one Federation and the cluster it belongs to. The router owns these types and
// knows nothing of the store behind them (Redis, in @xmpp-federation/cluster): a cluster
// implementation is handed to createFederation({ cluster }) and called at a few fixed points.

/** What the cluster knows of one node, as `status().cluster.nodes` shows it. */
export interface ClusterNodeStatus {
  readonly nodeId: string
  /** `config.enabled` of that node: only enabled nodes own (local, remote) pairs. */
  readonly enabled: boolean
  readonly fingerprint: string
  /** The cluster configuration version it runs (see ClusterStatus.configVersion). */
  readonly configVersion: number
  /** Its heartbeat is current. */
  readonly alive: boolean
  /** Milliseconds since its last heartbeat was seen. */
  readonly lastSeenMs: number
}

/** One (local, remote) pair's route lease: who writes its stanzas, under which fencing epoch. */
export interface ClusterLeaseStatus {
  readonly local: string
  readonly remote: string
  readonly owner: string
  readonly epoch: number
  readonly expiresInMs: number
}

/** Stanzas waiting in one pair's durable outbox (written, not yet acknowledged by the peer). */
export interface ClusterOutboxStatus {
  readonly local: string
  readonly remote: string
  readonly depth: number
}

/** `status().cluster`: a snapshot refreshed on each heartbeat, so that status() stays synchronous. */
export interface ClusterStatus {
  readonly nodeId: string
  readonly fingerprint: string
  /** The cluster configuration version this node runs: 0 until some node reconfigures. */
  readonly configVersion: number
  /** The version this node could not apply, and why: it keeps its own and owns no pairs meanwhile. */
  readonly configRefused?: { readonly version: number; readonly reason: string }
  readonly nodes: readonly ClusterNodeStatus[]
  readonly leases: readonly ClusterLeaseStatus[]
  readonly outbox: readonly ClusterOutboxStatus[]
}

/** What the `cluster` event reports. */
export type ClusterEvent =
  | { readonly type: 'joined'; readonly nodeId: string; readonly fingerprint: string }
  | {
      readonly type: 'lease-acquired'
      readonly local: string
      readonly remote: string
      readonly epoch: number
    }
  | {
      readonly type: 'lease-lost'
      readonly local: string
      readonly remote: string
      readonly epoch: number
      readonly reason: string
    }
  /** This node took a pair over from a node that vanished, and resends what it left (at-least-once). */
  | {
      readonly type: 'takeover'
      readonly local: string
      readonly remote: string
      readonly from: string
      readonly resent: number
    }
  /** A pair changed hands in good order (a node stopping): `from` released it, `to` is the node told. */
  | {
      readonly type: 'handover'
      readonly local: string
      readonly remote: string
      readonly from: string
      readonly to: string | undefined
    }
  | { readonly type: 'node-down'; readonly nodeId: string }
  | { readonly type: 'node-up'; readonly nodeId: string }
  | { readonly type: 'no-federation-node'; readonly reason: string }
  /** `reconfigure()` here: the configuration is the cluster's version `version` now. */
  | { readonly type: 'config-published'; readonly version: number; readonly fingerprint: string }
  /** Another node's reconfiguration, applied here. */
  | {
      readonly type: 'config-applied'
      readonly version: number
      readonly from: string
      readonly fingerprint: string
    }
  /** Another node's reconfiguration could not be applied here: this node owns no pairs until one is. */
  | {
      readonly type: 'config-refused'
      readonly version: number
      readonly from: string
      readonly reason: string
    }
  | { readonly type: 'redis-unavailable'; readonly error: string }
  | { readonly type: 'redis-restored' }

/**
 * Marks a stanza whose truth lives in the cluster's durable outbox. The link asks before
 * writing it, reports when the peer has it, and hands failures to the cluster instead of
 * bouncing them: a node that loses a pair must not bounce what the next owner will send.
 */
export interface DurableStanza {
  /** False once this node may no longer write for the pair (its lease lapsed): the link drops it unwritten. */
  mayWrite(): boolean
  /** The peer acknowledged it (XEP-0198 `<a h>`), or it was written on a stream without stream management. */
  acked(): void
  /** The link could not deliver it; the cluster decides whether that is a bounce. */
  bounced(condition: StanzaErrorCondition, reason: string): void
}

/** What a Federation lends its cluster: its config, its links, its events. */
export interface ClusterHost {
  /** The configuration in force, read live: `reconfigure()` replaces it. */
  readonly config: FederationConfig
  readonly logger: Logger
  /** Hands a stanza of a pair this node owns to that pair's outbound link (policy checked first). */
  write(local: string, remote: string, item: PendingStanza): void
  /** Closes the pair's link without bouncing what it holds: the lease is gone, the outbox keeps it. */
  abandon(local: string, remote: string): Promise<void>
  /** Bounces a stanza sent on this node: `bounce` event with the error stanza, send() rejected. */
  bounce(item: PendingStanza, condition: StanzaErrorCondition, reason: string): void
  /** An inbound stanza another node received for a user this node serves: the `stanza` event. */
  deliver(stanza: Element, info: InboundStanzaInfo): void
  /** An iq answer another node received for a request() made here. */
  answer(stanza: Element, info: InboundStanzaInfo): void
  /** The `cluster` event. */
  emitCluster(event: ClusterEvent): void
  /** The `resend` event: stanzas that may reach the peer twice. */
  emitResend(local: string, remote: string, count: number): void
  /** Applies a configuration another node published (on this node only: it is not published again). */
  applyConfig(config: FederationConfigInput): Promise<ReconfigureReport>
}

/** XEP-0092 answers shared by the nodes: a peer is asked once per cache lifetime, not once per node. */
export interface SharedPeerSoftwareCache {
  /**
   * `undefined`: nobody asked lately; `{ value: undefined }`: asked, and the peer did not tell.
   * `answeredAt` (ms since the epoch): when the answer was given; without it, it counts as new.
   */
  get(
    remote: string,
  ): Promise<{ readonly value: PeerSoftware | undefined; readonly answeredAt?: number } | undefined>
  /** Records an answer (or that there was none), given at `answeredAt`, kept for `ttlMs`. */
  set(remote: string, software: PeerSoftware | undefined, ttlMs: number, answeredAt?: number): void
}

/**
 * A cluster a Federation joins: `createFederation({ config, cluster })`. Implemented by
 * `redisCluster()` in @xmpp-federation/cluster; the router calls it and nothing else.
 */
export interface ClusterPort {
  /** Called by start() before the listeners open; rejects (e.g. a ConfigError) to refuse the node. */
  join(host: ClusterHost): Promise<void>
  /** Called by stop() before the links close: leases handed over, nothing durable bounced. */
  leave(): Promise<void>
  /** Takes a stanza for a remote pair; settles `item` (resolve, or `host.bounce`) exactly once. */
  send(local: string, remote: string, item: PendingStanza): void
  /** True when another node delivers this inbound stanza (it was forwarded there). */
  deliverElsewhere(stanza: Element, info: InboundStanzaInfo): boolean
  /** True when this iq answer belongs to another node's request() (it was forwarded there). */
  forwardAnswer(stanza: Element, info: InboundStanzaInfo): boolean
  /** An id for an iq this node sends and awaits, naming the node so the answer can find it. */
  requestId(): string
  /** The latest snapshot; never blocks. */
  status(): ClusterStatus
  /** Optional: XEP-0092 answers cached cluster-wide. */
  readonly peerSoftware?: SharedPeerSoftwareCache
  /**
   * Optional: `reconfigure()` applied a configuration on this node; the cluster makes it every
   * node's (each keeping its node-local settings) and resolves with its version.
   */
  publishConfig?(): Promise<number>
}
