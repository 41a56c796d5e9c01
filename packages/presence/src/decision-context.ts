import { definedOnly } from './defined-only.js'
import type { Availability, OutgoingPresence } from './stanza-data.js'

/** What a decision needs besides the user's record. */
export interface DecisionContext {
  /** The local user's canonical bare JID. */
  readonly user: string
  /** The resource the user's availability is sent from, so clients see a full JID like any other account. */
  readonly resource: string
  /** Contacts per user, pending requests included; more are refused. */
  readonly maxContacts: number
  /** Available resources kept per contact; more are not recorded, so a peer cannot grow the record. */
  readonly maxResources: number
}

/** The user's availability (or unavailability) as a presence to `to`, from the user's full JID. */
export function availabilityStanza(
  context: DecisionContext,
  to: string,
  availability: Availability,
): OutgoingPresence {
  const from = `${context.user}/${context.resource}`
  if (!availability.available) {
    return definedOnly({ from, to, type: 'unavailable' as const, status: availability.status })
  }
  return definedOnly({ from, to, show: availability.show, status: availability.status })
}
