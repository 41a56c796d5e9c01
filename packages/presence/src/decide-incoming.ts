import { canonicalAddress } from '@xmpp-federation/interface'
import { bareOf } from './address.js'
import { contactOrNew, findContact, putContact } from './contacts.js'
import type { PresenceChange } from './decide-action.js'
import { availabilityStanza, type DecisionContext } from './decision-context.js'
import { definedOnly } from './defined-only.js'
import { PresenceLimitError } from './limit-error.js'
import type { ContactRecord, PresenceRecord, ResourcePresence } from './record.js'
import type { IncomingPresence } from './stanza-data.js'
import { seenByContact, withDirection } from './subscription.js'

/** A decision about an incoming presence: the change, and what it did for the log. */
export interface IncomingDecision extends PresenceChange {
  readonly note: string
}

/**
 * Decides what a presence stanza for the user (`context.user`, the bare form of
 * its `to`) does to the record, and which replies RFC 6121 asks of us. Pure;
 * never throws: what cannot be kept is dropped and said so in `note`.
 */
export function decideIncoming(
  record: PresenceRecord,
  presence: IncomingPresence,
  context: DecisionContext,
): IncomingDecision {
  const contact = bareOf(presence.from)
  if (contact === undefined) return unchanged(record, 'ignored: not a valid address')
  const entry = findContact(record, contact)
  switch (presence.type) {
    case 'probe':
      return answerProbe(record, entry, presence.from, context)
    case 'subscribe':
      return onSubscribe(record, contact, context)
    case 'subscribed':
      // RFC 6121 §3.1.6: only an approval we asked for counts.
      if (!entry?.pendingOut) return unchanged(record, 'ignored: no subscription request pending')
      return changed(
        record,
        { ...entry, subscription: withDirection(entry.subscription, 'to', true), pendingOut: false },
        `subscribed to ${contact}`,
      )
    case 'unsubscribe': {
      const note = `${contact} no longer sees ${context.user}`
      if (!entry) return unchanged(record, note)
      const ended = {
        ...entry,
        subscription: withDirection(entry.subscription, 'from', false),
        pendingIn: false,
      }
      return changed(record, ended, note)
    }
    case 'unsubscribed': {
      const note = `${context.user} no longer sees ${contact}`
      if (!entry) return unchanged(record, note)
      const ended = {
        ...entry,
        subscription: withDirection(entry.subscription, 'to', false),
        pendingOut: false,
        resources: [],
      }
      return changed(record, ended, note)
    }
    case 'available':
    case 'unavailable':
      // Directed presence from someone not in the roster is reported, not kept.
      if (!entry) return unchanged(record, 'from a contact not in the roster')
      return onAvailability(record, entry, presence, context)
  }
}

function answerProbe(
  record: PresenceRecord,
  entry: ContactRecord | undefined,
  prober: string,
  context: DecisionContext,
): IncomingDecision {
  // A contact we know nothing of (e.g. after a restart) gets no answer rather
  // than an `unsubscribed` that would cancel a subscription we merely forgot.
  if (!entry) return unchanged(record, 'probe from an unknown contact: not answered')
  if (!seenByContact(entry.subscription)) {
    const send = [{ from: context.user, to: entry.jid, type: 'unsubscribed' as const }]
    return { record, send, note: 'probe from a non-subscriber' }
  }
  const { availability } = record
  return {
    record,
    // To the address that asked: RFC 6121 §4.3.2 answers the probing resource.
    send: [availabilityStanza(context, prober, availability)],
    note: `probe answered: ${availability.available ? 'available' : 'unavailable'}`,
  }
}

function onSubscribe(record: PresenceRecord, contact: string, context: DecisionContext): IncomingDecision {
  const existing = findContact(record, contact)
  if (existing && seenByContact(existing.subscription)) {
    // RFC 6121 §3.1.3: an existing subscriber is approved again without asking the user.
    return {
      record,
      send: [
        { from: context.user, to: contact, type: 'subscribed' },
        availabilityStanza(context, contact, record.availability),
      ],
      note: 'already a subscriber: approved',
    }
  }
  let entry: ContactRecord
  try {
    entry = contactOrNew(record, contact, context.maxContacts)
  } catch (error) {
    if (error instanceof PresenceLimitError) return unchanged(record, 'dropped: presence state is full')
    throw error
  }
  return changed(record, { ...entry, pendingIn: true }, 'waiting for approval')
}

function onAvailability(
  record: PresenceRecord,
  entry: ContactRecord,
  presence: IncomingPresence,
  context: DecisionContext,
): IncomingDecision {
  // Canonical, like the contact's bare JID: one resource never gets two entries.
  const resource = canonicalAddress(presence.from) ?? presence.from
  let resources: readonly ResourcePresence[]
  if (presence.type === 'unavailable') {
    // Unavailable from the bare JID means every resource has gone.
    resources = resource === entry.jid ? [] : entry.resources.filter((r) => r.jid !== resource)
  } else {
    const facts = definedOnly({ jid: resource, show: presence.show, status: presence.status })
    const index = entry.resources.findIndex((r) => r.jid === resource)
    if (index !== -1) resources = entry.resources.map((r, i) => (i === index ? facts : r))
    else if (entry.resources.length < context.maxResources) resources = [...entry.resources, facts]
    else return unchanged(record, `${entry.jid}: too many resources, ${resource} not recorded`)
  }
  const state = resources.length > 0 ? 'available' : 'unavailable'
  return changed(record, { ...entry, resources }, `${entry.jid} is ${state}`)
}

function changed(record: PresenceRecord, contact: ContactRecord, note: string): IncomingDecision {
  return { record: putContact(record, contact), send: [], note }
}

function unchanged(record: PresenceRecord, note: string): IncomingDecision {
  return { record, send: [], note }
}
