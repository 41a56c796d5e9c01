import { PresenceLimitError } from './limit-error.js'
import type { ContactRecord, PresenceRecord } from './record.js'

// Reading and replacing one contact of an immutable record.

/** The contact entry for a bare JID, if the user has one. */
export function findContact(record: PresenceRecord, jid: string): ContactRecord | undefined {
  return record.contacts.find((contact) => contact.jid === jid)
}

/** The contact entry, or a fresh one (no subscription, nothing pending) when the user has none. */
export function contactOrNew(record: PresenceRecord, jid: string, maxContacts: number): ContactRecord {
  const existing = findContact(record, jid)
  if (existing) return existing
  if (record.contacts.length >= maxContacts)
    throw new PresenceLimitError(`too many contacts (${maxContacts})`)
  return { jid, subscription: 'none', pendingOut: false, pendingIn: false, resources: [] }
}

/** The record with `contact` in place of the entry of the same JID, or added at the end. */
export function putContact(record: PresenceRecord, contact: ContactRecord): PresenceRecord {
  const index = record.contacts.findIndex((entry) => entry.jid === contact.jid)
  const contacts =
    index === -1 ? [...record.contacts, contact] : record.contacts.map((c, i) => (i === index ? contact : c))
  return { ...record, contacts }
}
