import type { PresenceType } from '@xmpp-federation/presence'
import { bareOf } from './jid.js'

export type InboxEntry =
  | {
      readonly kind: 'message'
      readonly from: string
      readonly to: string
      readonly id: string | undefined
      readonly type: string
      readonly body: string
      readonly subject?: string
      readonly thread?: string
    }
  | {
      readonly kind: 'presence'
      readonly from: string
      readonly to: string
      readonly type: PresenceType
      readonly show?: string
      readonly status?: string
    }
  | {
      /** A stanza of ours that came back as an error, or a refusal the router reported. */
      readonly kind: 'error'
      readonly from: string
      readonly to: string
      readonly stanza: 'message' | 'presence' | 'iq'
      readonly id: string | undefined
      readonly condition: string
      readonly text?: string
    }

/** An entry as stored: numbered in arrival order (the SSE event id) and time-stamped. */
export type InboxItem = InboxEntry & { readonly seq: number; readonly at: string }

export interface InboxQuery {
  /** Only items with a larger sequence number. */
  readonly since?: number
  /** Only items addressed to this local user (bare JID). */
  readonly user?: string
  /** At most this many, the newest ones. */
  readonly limit?: number
}

export type InboxListener = (item: InboxItem) => void

/**
 * What local users received, oldest first, in memory only. Bounded: past
 * `capacity` the oldest items are forgotten, so a chatty peer cannot grow it.
 */
export class Inbox {
  private readonly items: InboxItem[] = []
  private readonly listeners = new Set<InboxListener>()
  private lastSeq = 0

  constructor(readonly capacity = 1000) {}

  add(entry: InboxEntry): InboxItem {
    const item = { ...entry, seq: ++this.lastSeq, at: new Date().toISOString() } as InboxItem
    this.items.push(item)
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity)
    for (const listener of this.listeners) listener(item)
    return item
  }

  list(query: InboxQuery = {}): InboxItem[] {
    const matching = this.items.filter((item) => matches(item, query))
    return query.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - query.limit))
  }

  /** Calls `listener` for every item added from now on; returns the unsubscribe function. */
  subscribe(listener: InboxListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get latestSeq(): number {
    return this.lastSeq
  }
}

export function matches(item: InboxItem, query: Pick<InboxQuery, 'since' | 'user'>): boolean {
  if (query.since !== undefined && item.seq <= query.since) return false
  if (query.user !== undefined && bareOf(item.to) !== query.user) return false
  return true
}
