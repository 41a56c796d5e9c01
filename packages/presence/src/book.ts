import { bareOf, requireBare, requireCanonical } from './address.js'
import { decideAction } from './decide-action.js'
import { decideIncoming } from './decide-incoming.js'
import type { DecisionContext } from './decision-context.js'
import { PresenceLimitError } from './limit-error.js'
import { memoryPresenceStore } from './memory-store.js'
import { EMPTY_RECORD, type PresenceRecord } from './record.js'
import { type RosterView, rosterView } from './roster-view.js'
import { serialPerKey } from './serial.js'
import type { IncomingPresence, OutgoingPresence, PresenceOutcome } from './stanza-data.js'
import type { PresenceStore } from './store.js'
import type { PresenceAction, Show } from './vocabulary.js'

/** Options of createPresenceBook. */
export interface PresenceBookOptions {
  /** The resource the users' availability is sent from, e.g. `gateway`: `user@domain/gateway`. */
  readonly resource: string
  /** Where the records live; default memoryPresenceStore(). */
  readonly store?: PresenceStore
  /** Contacts per user, pending requests included; more are refused. Default 1000. */
  readonly maxContacts?: number
  /** Available resources recorded per contact. Default 100. */
  readonly maxResources?: number
}

/** What an action may carry besides its name. */
export interface ActionOptions {
  /**
   * The contact: required for subscription actions (a full JID counts as its bare JID);
   * with `available` or `unavailable`, the address (bare or full) the presence is directed to.
   */
  readonly contact?: string
  readonly show?: Show
  readonly status?: string
}

/**
 * RFC 6121 presence subscriptions of the users a host serves: each user's
 * contacts, who may see whom, and the user's own availability. It sends
 * nothing: each method returns the presence stanzas the host should send.
 */
export interface PresenceBook {
  /** The resource the users' availability is sent from. */
  readonly resource: string
  /**
   * Carries out an action of local `user` (a bare JID); returns what to send.
   * Rejects with a TypeError for a malformed address or a subscription action without
   * a contact, and with a PresenceLimitError when the user or contact would not fit.
   */
  act(user: string, action: PresenceAction, options?: ActionOptions): Promise<OutgoingPresence[]>
  /** Applies a presence stanza addressed to a local user; returns the replies RFC 6121 asks of us. */
  receive(presence: IncomingPresence): Promise<PresenceOutcome>
  /** The user's availability and contacts. */
  roster(user: string): Promise<RosterView>
  /** Local users that are available now (to announce them unavailable on shutdown). */
  availableUsers(): Promise<string[]>
}

/** A presence book over a store (in memory unless one is given). */
export function createPresenceBook(options: PresenceBookOptions): PresenceBook {
  const { resource } = options
  const store = options.store ?? memoryPresenceStore()
  const limits = { maxContacts: options.maxContacts ?? 1000, maxResources: options.maxResources ?? 100 }
  const serially = serialPerKey()
  const contextOf = (user: string): DecisionContext => ({ user, resource, ...limits })
  const load = async (user: string): Promise<PresenceRecord> => (await store.get(user)) ?? EMPTY_RECORD
  const saveIfChanged = async (user: string, before: PresenceRecord, after: PresenceRecord) => {
    if (after !== before) await store.set(user, after)
  }

  return {
    resource,
    // async: a malformed address rejects like any other failure, it never throws synchronously.
    async act(userAddress, action, actionOptions = {}) {
      const user = requireBare(userAddress, 'user')
      const directed = action === 'available' || action === 'unavailable'
      const given = actionOptions.contact
      // Subscriptions are between bare JIDs; directed presence may go to one resource.
      const contact =
        given === undefined
          ? undefined
          : directed
            ? requireCanonical(given, 'to')
            : requireBare(given, 'contact')
      return serially(user, async () => {
        const record = await load(user)
        const change = decideAction(record, { ...actionOptions, action, contact }, contextOf(user))
        await saveIfChanged(user, record, change.record)
        return change.send
      })
    },
    async receive(presence) {
      const user = bareOf(presence.to)
      if (user === undefined) return { replies: [], note: 'ignored: not a valid address' }
      return serially(user, async () => {
        const record = await load(user)
        const decision = decideIncoming(record, presence, contextOf(user))
        try {
          await saveIfChanged(user, record, decision.record)
        } catch (error) {
          if (error instanceof PresenceLimitError)
            return { replies: [], note: 'dropped: presence state is full' }
          throw error
        }
        return { replies: decision.send, note: decision.note }
      })
    },
    async roster(userAddress) {
      const user = requireBare(userAddress, 'user')
      return rosterView(user, await load(user))
    },
    async availableUsers() {
      return store.availableUsers()
    },
  }
}
