import type { PresenceType, Show } from './vocabulary.js'

// Presence stanzas as plain data: what the book is given and what it asks to send.

/** A local user's own availability. */
export interface Availability {
  readonly available: boolean
  readonly show?: Show
  readonly status?: string
}

/** A presence stanza to send, as data. `type` absent means available. */
export interface OutgoingPresence {
  readonly from: string
  readonly to: string
  readonly type?: Exclude<PresenceType, 'available'>
  readonly show?: Show
  readonly status?: string
}

/** A presence stanza that arrived for a local user. */
export interface IncomingPresence {
  readonly from: string
  readonly to: string
  readonly type: PresenceType
  /** As received: a peer may send any text. */
  readonly show?: string
  readonly status?: string
}

/** What an incoming presence did. */
export interface PresenceOutcome {
  /** The presence stanzas RFC 6121 asks of us in reply. */
  readonly replies: OutgoingPresence[]
  /** What the stanza did, for the log. */
  readonly note: string
}
