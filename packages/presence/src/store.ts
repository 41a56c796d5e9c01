import type { PresenceRecord } from './record.js'

/** A value, or a promise of it: a store may answer at once or after a round trip. */
export type Awaitable<T> = T | PromiseLike<T>

/**
 * Where the book keeps each local user's presence record. Users are keyed by
 * canonical bare JID; records are immutable values, replaced whole.
 *
 * The book serialises its own reads and writes per user, so a store needs no
 * locking as long as one book uses it. Several processes sharing one database
 * need a store that makes `get`…`set` of one user atomic (or one book per user).
 */
export interface PresenceStore {
  /** The user's record, or undefined when there is none (the book then starts from EMPTY_RECORD). */
  get(user: string): Awaitable<PresenceRecord | undefined>
  /**
   * Replaces the user's record. May throw a PresenceLimitError when the store
   * is full: an action fails with it, an incoming presence is dropped.
   */
  set(user: string, record: PresenceRecord): Awaitable<void>
  /** Users whose own availability is `available` (they are announced unavailable on shutdown). */
  availableUsers(): Awaitable<string[]>
}
