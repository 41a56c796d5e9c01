// Every key lives under one prefix. The keys of one (local, remote) pair share the hash tag
// `{local|remote}`, so that the Lua scripts touching a pair's lease, epoch and outbox together
// run on one Redis Cluster slot; nothing else is ever combined in one command.

/** Domain names never hold `{`, `}` or `|`, so a pair's tag is unambiguous. */
export function pairTag(local: string, remote: string): string {
  return `{${local}|${remote}}`
}

/** The key names of one cluster (one prefix). */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** `SET NX PX`: `nodeId:epoch` of the pair's owner. */
  lease(local: string, remote: string): string {
    return `${this.prefix}:pair:${pairTag(local, remote)}:lease`
  }

  /** The pair's fencing epoch counter (INCR, floored by Redis time: see scripts.ts). */
  epoch(local: string, remote: string): string {
    return `${this.prefix}:pair:${pairTag(local, remote)}:epoch`
  }

  /** The last lease value granted, without TTL: tells a takeover (holder vanished) from a first claim. */
  holder(local: string, remote: string): string {
    return `${this.prefix}:pair:${pairTag(local, remote)}:holder`
  }

  /** The pair's durable outbox (a stream). */
  outbox(local: string, remote: string): string {
    return `${this.prefix}:pair:${pairTag(local, remote)}:outbox`
  }

  /** Serialized bytes in the outbox, for the queue.maxBytes bound. */
  outboxBytes(local: string, remote: string): string {
    return `${this.prefix}:pair:${pairTag(local, remote)}:bytes`
  }

  /** Every pair that may hold stanzas: scanned for pairs whose owner vanished. */
  get pairs(): string {
    return `${this.prefix}:{pairs}`
  }

  /** Node info (nodeId → JSON), kept after a crash so that status() can say the node is down. */
  get nodes(): string {
    return `${this.prefix}:{nodes}`
  }

  /** A node's heartbeat (PX leaseMs): alive while it exists. */
  heartbeat(nodeId: string): string {
    return `${this.prefix}:node:{${nodeId}}:alive`
  }

  /** The cluster's recorded configuration: fingerprint and masked flattened settings. */
  get config(): string {
    return `${this.prefix}:{config}`
  }

  /** XEP-0092 answers of one remote domain, shared by every node (PX: the cache lifetime). */
  peerSoftware(remote: string): string {
    return `${this.prefix}:peer-software:{${remote}}`
  }

  /** Where other nodes reach this one (sharded pub/sub: SPUBLISH/SSUBSCRIBE). */
  channel(nodeId: string): string {
    return `${this.prefix}:node:{${nodeId}}:channel`
  }
}

/** A pair as one string (map keys, the pairs set); split with splitPair. */
export function pairName(local: string, remote: string): string {
  return `${local}|${remote}`
}

/** The reverse of pairName; undefined for a malformed name. */
export function splitPair(name: string): { local: string; remote: string } | undefined {
  const [local, remote, ...rest] = name.split('|')
  return local && remote && rest.length === 0 ? { local, remote } : undefined
}
