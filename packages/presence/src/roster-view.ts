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
    // Field by field: a custom store's extra columns stay out of what the host shows.
    contacts: record.contacts.map(({ jid, subscription, pendingOut, pendingIn, resources }) => ({
      jid,
      subscription,
      pendingOut,
      pendingIn,
      available: resources.length > 0,
      resources,
    })),
  }
}
