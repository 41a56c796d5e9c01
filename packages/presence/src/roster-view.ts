import type { ContactRecord, PresenceRecord } from './record.js'
import type { Availability } from './stanza-data.js'

/** A contact as a roster shows it. */
export interface ContactView extends ContactRecord {
  /** At least one of the contact's resources is available. */
  readonly available: boolean
}

/** A user's own availability and contacts, ready to show or serialise as JSON. */
export interface RosterView {
  readonly user: string
  readonly presence: Availability
  readonly contacts: ContactView[]
}

/** The roster view of a user's record. Pure. */
export function rosterView(user: string, record: PresenceRecord): RosterView {
  return {
    user,
    presence: record.availability,
    contacts: record.contacts.map((contact) => ({ ...contact, available: contact.resources.length > 0 })),
  }
}
