import type { Availability } from './stanza-data.js'
import type { Subscription } from './vocabulary.js'

// What a store keeps per local user: plain, immutable, JSON-friendly data.
// Arrays rather than objects keyed by address, so no JID can be `__proto__`.

/** One available resource of a contact, as it last announced itself. */
export interface ResourcePresence {
  /** The full JID. */
  readonly jid: string
  readonly show?: string
  readonly status?: string
}

/** One contact of a local user (an RFC 6121 roster item, with the contact's live presence). */
export interface ContactRecord {
  /** The contact's bare JID. */
  readonly jid: string
  readonly subscription: Subscription
  /** The user asked to see the contact's presence; no answer yet ("ask"). */
  readonly pendingOut: boolean
  /** The contact asked to see the user's presence; not approved yet. */
  readonly pendingIn: boolean
  /** The contact's available resources; empty when unavailable or unknown. */
  readonly resources: readonly ResourcePresence[]
}

/** Everything the book knows of one local user. */
export interface PresenceRecord {
  readonly availability: Availability
  readonly contacts: readonly ContactRecord[]
}

/** The record of a user the store knows nothing of. */
export const EMPTY_RECORD: PresenceRecord = Object.freeze({
  availability: Object.freeze({ available: false }),
  contacts: Object.freeze([]),
})
