/**
 * RFC 6121 presence subscriptions for the users a federation host serves:
 * who may see whom, each user's own availability, and the presence stanzas
 * that follow. Decisions are pure; the book keeps records in a PresenceStore
 * (in memory by default) and returns the stanzas to send, as data.
 *
 * @example
 * ```ts
 * import { createPresenceBook, presenceElement, readPresence } from '@xmpp-federation/presence'
 *
 * const book = createPresenceBook({ resource: 'gateway' })
 * const send = await book.act('bot@c.test', 'subscribe', { contact: 'alice@a.test' })
 * for (const presence of send) await federation.send(presenceElement(presence))
 * federation.on('stanza', async (stanza) => {
 *   const presence = readPresence(stanza)
 *   if (presence) for (const reply of (await book.receive(presence)).replies) await federation.send(presenceElement(reply))
 * })
 * ```
 * @packageDocumentation
 */
export { bareOf } from './address.js'
export {
  type ActionOptions,
  createPresenceBook,
  type PresenceBook,
  type PresenceBookOptions,
} from './book.js'
export { type ActionRequest, decideAction, type PresenceChange } from './decide-action.js'
export { decideIncoming, type IncomingDecision } from './decide-incoming.js'
export type { DecisionContext } from './decision-context.js'
export { PresenceLimitError } from './limit-error.js'
export { type MemoryStoreOptions, memoryPresenceStore } from './memory-store.js'
export {
  type ContactRecord,
  EMPTY_RECORD,
  type PresenceRecord,
  type ResourcePresence,
} from './record.js'
export { type ContactView, type RosterView, rosterView } from './roster-view.js'
export { presenceElement, presenceType, readPresence } from './stanza.js'
export type { Availability, IncomingPresence, OutgoingPresence, PresenceOutcome } from './stanza-data.js'
export type { Awaitable, PresenceStore } from './store.js'
export { seenByContact, seesContact } from './subscription.js'
export {
  PRESENCE_ACTIONS,
  PRESENCE_TYPES,
  type PresenceAction,
  type PresenceType,
  SHOW_VALUES,
  type Show,
  type Subscription,
} from './vocabulary.js'
