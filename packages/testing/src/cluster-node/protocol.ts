/**
 * The messages between a test and a cluster node process (runner.ts) over Node's IPC channel.
 * Everything is plain JSON: stanzas travel as XML text.
 */

/** What the runner builds its federation from. */
export interface ClusterNodeSpec {
  /** Unique per process of one cluster; also the name in logs. */
  nodeId: string
  /** The federation config (the same for every node of a cluster, or start() is refused). */
  config: Record<string, unknown>
  /** `redis://host:port`; without it the node is a plain single-node federation. */
  redisUrl?: string
  /** Lease time to live for the domain pairs this node owns (redisCluster's `leaseMs`). */
  leaseMs?: number
  /** Key prefix in Redis (redisCluster's `prefix`). */
  prefix?: string
  /**
   * Where this node dials each remote domain, overriding what the config's routes say, without
   * changing the config (and so its fingerprint): e.g. a per-node proxy that tells the nodes
   * apart on the peer's side.
   */
  dialVia?: Record<string, { host: string; port: number }>
  /** Report each inbound stanza as a `stanza` event; default true (off for load tests, see `reportStanzas`). */
  reportStanzas?: boolean
}

/** The outcome of one send, as the node it was called on saw it settle. */
export type SendOutcome =
  | { outcome: 'written'; ms: number }
  | { outcome: 'bounced'; condition: string; message: string; ms: number }

/** A burst of messages sent from inside the node process, so IPC stays out of the timings. */
export interface BurstSpec {
  from: string
  to: string
  count: number
  /** Sends in flight at once; default 1 (one after another). */
  concurrency?: number
  /** Body of message i is `${bodyPrefix}${i}`; its id is the same text. */
  bodyPrefix: string
  /** Number of the first message; default 0. */
  firstIndex?: number
  /** Pause of each lane between its sends, to spread them over time; default 0. */
  intervalMs?: number
}

export interface BurstResult {
  written: number
  bounced: Record<string, number>
  /** Ids of the bounced messages, in send order. */
  bouncedIds: string[]
  /** Per send, from the call to its settling, in send order. */
  latenciesMs: number[]
  elapsedMs: number
}

export type NodeCommand =
  | { command: 'send'; xml: string }
  | { command: 'request'; xml: string; timeoutMs: number }
  | { command: 'burst'; burst: BurstSpec }
  | { command: 'status' }
  | { command: 'report-stanzas'; on: boolean }
  | { command: 'stop' }

export interface CommandMessage {
  id: number
  body: NodeCommand
}

/** Events a node reports as they happen: the federation's, with stanzas as XML text. */
export interface ClusterNodeEvent {
  name: 'bounce' | 'cluster' | 'resend' | 'session' | 'stanza' | 'error'
  /** Milliseconds since the epoch, on the node. */
  at: number
  data: Record<string, unknown>
}

export type RunnerMessage =
  | { kind: 'ready' }
  | { kind: 'start-failed'; error: { name: string; message: string } }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: { name: string; message: string } }
  | { kind: 'event'; event: ClusterNodeEvent }
