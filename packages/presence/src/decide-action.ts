import { contactOrNew, putContact } from './contacts.js'
import { availabilityStanza, type DecisionContext } from './decision-context.js'
import { definedOnly } from './defined-only.js'
import type { PresenceRecord } from './record.js'
import type { Availability, OutgoingPresence } from './stanza-data.js'
import { seenByContact, seesContact, withDirection } from './subscription.js'
import type { PresenceAction, Show } from './vocabulary.js'

/** An action of a local user. */
export interface ActionRequest {
  readonly action: PresenceAction
  /**
   * The contact's canonical bare JID. Required for subscription actions; with
   * `available` or `unavailable` it makes the presence directed (RFC 6121 §4.6)
   * to this address (bare or full), leaving the user's broadcast availability as it is.
   */
  readonly contact?: string
  readonly show?: Show
  readonly status?: string
}

/** A decision: the user's record afterwards and the presence stanzas to send. */
export interface PresenceChange {
  /** The record after the change: the same object when nothing changed, so a store is spared the write. */
  readonly record: PresenceRecord
  readonly send: OutgoingPresence[]
}

/**
 * Decides what an action of the user does to the record and what it sends. Pure.
 * Throws a TypeError when a subscription action has no contact, and a
 * PresenceLimitError when it would add a contact past `maxContacts`.
 */
export function decideAction(
  record: PresenceRecord,
  request: ActionRequest,
  context: DecisionContext,
): PresenceChange {
  const { action, contact } = request
  const { user } = context
  if (action === 'available' || action === 'unavailable') {
    const availability: Availability = definedOnly({
      available: action === 'available',
      show: action === 'available' ? request.show : undefined,
      status: request.status,
    })
    if (contact !== undefined) return { record, send: [availabilityStanza(context, contact, availability)] }
    return publish(record, availability, context)
  }
  if (contact === undefined) throw new TypeError(`${action} needs a contact`)
  const entry = contactOrNew(record, contact, context.maxContacts)
  switch (action) {
    case 'subscribe':
      // Sent even when subscribed already: a peer that still knows the
      // subscription answers `subscribed` at once, and a lost one is renewed.
      return {
        record: putContact(record, seesContact(entry.subscription) ? entry : { ...entry, pendingOut: true }),
        send: [{ from: user, to: contact, type: 'subscribe' }],
      }
    case 'approve': {
      const send: OutgoingPresence[] = [{ from: user, to: contact, type: 'subscribed' }]
      // RFC 6121 §3.1.5: a new subscriber gets the user's current presence.
      if (record.availability.available) send.push(availabilityStanza(context, contact, record.availability))
      const approved = {
        ...entry,
        subscription: withDirection(entry.subscription, 'from', true),
        pendingIn: false,
      }
      return { record: putContact(record, approved), send }
    }
    case 'deny': {
      const send: OutgoingPresence[] = []
      // A subscriber that saw the user online is told it is gone before it loses sight.
      if (seenByContact(entry.subscription) && record.availability.available) {
        send.push(availabilityStanza(context, contact, { available: false }))
      }
      send.push({ from: user, to: contact, type: 'unsubscribed' })
      const denied = {
        ...entry,
        subscription: withDirection(entry.subscription, 'from', false),
        pendingIn: false,
      }
      return { record: putContact(record, denied), send }
    }
    case 'unsubscribe':
      return {
        record: putContact(record, {
          ...entry,
          subscription: withDirection(entry.subscription, 'to', false),
          pendingOut: false,
          resources: [],
        }),
        send: [{ from: user, to: contact, type: 'unsubscribe' }],
      }
  }
}

/** Broadcast availability (RFC 6121 §4.2, §4.5): subscribers are told, and coming online probes. */
function publish(
  record: PresenceRecord,
  availability: Availability,
  context: DecisionContext,
): PresenceChange {
  const send = record.contacts
    .filter((contact) => seenByContact(contact.subscription))
    .map((contact) => availabilityStanza(context, contact.jid, availability))
  // RFC 6121 §4.2.2: coming online, ask the contacts we see for their presence.
  if (availability.available && !record.availability.available) {
    for (const contact of record.contacts) {
      if (seesContact(contact.subscription)) {
        send.push({ from: `${context.user}/${context.resource}`, to: contact.jid, type: 'probe' })
      }
    }
  }
  return { record: { ...record, availability }, send }
}
