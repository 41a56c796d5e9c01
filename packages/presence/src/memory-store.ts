import { PresenceLimitError } from './limit-error.js'
import type { PresenceRecord } from './record.js'
import type { PresenceStore } from './store.js'

/** Options of memoryPresenceStore. */
export interface MemoryStoreOptions {
  /** Users with a record; a record for one more is refused with a PresenceLimitError. Default 10 000. */
  readonly maxUsers?: number
}

/**
 * Presence records in a Map: gone when the process ends, which RFC 6121 copes
 * with (peers re-approve a `subscribe` they still know). Bounded by `maxUsers`.
 */
export function memoryPresenceStore(options: MemoryStoreOptions = {}): PresenceStore {
  const maxUsers = options.maxUsers ?? 10_000
  const records = new Map<string, PresenceRecord>()
  return {
    get: (user) => records.get(user),
    set(user, record) {
      // A record that says nothing takes no room: its user is free for another.
      if (isBlank(record)) {
        records.delete(user)
        return
      }
      if (!records.has(user) && records.size >= maxUsers) {
        throw new PresenceLimitError(`too many users with presence state (${maxUsers})`)
      }
      records.set(user, record)
    },
    availableUsers: () =>
      [...records].filter(([, record]) => record.availability.available).map(([user]) => user),
  }
}

function isBlank(record: PresenceRecord): boolean {
  const { availability } = record
  return record.contacts.length === 0 && !availability.available && availability.status === undefined
}
