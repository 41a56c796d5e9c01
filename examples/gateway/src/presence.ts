import { definedOnly } from './defined-only.js'
import type { PresenceType } from './inbox.js'
import { bareOf } from './jid.js'

// RFC 6121 presence subscriptions of the gateway's local users, in memory only:
// each user's contacts, who may see whom, and the user's own availability.
// Pure: methods return the presence stanzas to send; the gateway sends them.

export type Subscription = 'none' | 'to' | 'from' | 'both'
export type Show = 'away' | 'chat' | 'dnd' | 'xa'
export const SHOW_VALUES: readonly Show[] = ['away', 'chat', 'dnd', 'xa']

export type PresenceAction = 'subscribe' | 'approve' | 'deny' | 'unsubscribe' | 'available' | 'unavailable'
export const PRESENCE_ACTIONS: readonly PresenceAction[] = [
  'subscribe',
  'approve',
  'deny',
  'unsubscribe',
  'available',
  'unavailable',
]

export interface Availability {
  readonly available: boolean
  readonly show?: Show
  readonly status?: string
}

/** A presence stanza to send, as data. `type` absent means available. */
export interface OutgoingPresence {
  readonly from: string
  readonly to: string
  readonly type?: Exclude<PresenceType, 'available'>
  readonly show?: Show
  readonly status?: string
}

/** A presence stanza that arrived for a local user. */
export interface IncomingPresence {
  readonly from: string
  readonly to: string
  readonly type: PresenceType
  readonly show?: string
  readonly status?: string
}

export interface PresenceOutcome {
  readonly replies: OutgoingPresence[]
  /** What the stanza did, for the log. */
  readonly note: string
}

export interface ContactView {
  readonly jid: string
  readonly subscription: Subscription
  /** The user asked to see the contact's presence; no answer yet. */
  readonly pendingOut: boolean
  /** The contact asked to see the user's presence; not approved yet. */
  readonly pendingIn: boolean
  readonly available: boolean
  /** The contact's available resources with their show and status. */
  readonly resources: { jid: string; show?: string; status?: string }[]
}

export interface RosterView {
  readonly user: string
  readonly presence: Availability
  readonly contacts: ContactView[]
}

export interface PresenceLimits {
  /** Local users with presence state; more are refused. */
  readonly maxUsers: number
  /** Contacts per user, pending requests included. */
  readonly maxContacts: number
}

export class PresenceLimitError extends Error {
  override readonly name = 'PresenceLimitError'
}

interface Contact {
  to: boolean
  from: boolean
  pendingOut: boolean
  pendingIn: boolean
  resources: Map<string, { show?: string; status?: string }>
}

interface User {
  availability: Availability
  contacts: Map<string, Contact>
}

const UNAVAILABLE: Availability = { available: false }

export class PresenceBook {
  private readonly users = new Map<string, User>()
  private readonly limits: PresenceLimits

  /**
   * @param resource the resource our users' availability is sent from, so
   * clients see a full JID like any other logged-in account.
   */
  constructor(
    readonly resource = 'gateway',
    limits: Partial<PresenceLimits> = {},
  ) {
    this.limits = { maxUsers: limits.maxUsers ?? 10_000, maxContacts: limits.maxContacts ?? 1_000 }
  }

  /** Carries out an action of local `user` towards `contact` (bare JIDs); returns what to send. */
  act(
    user: string,
    action: PresenceAction,
    options: { contact?: string } & Omit<Availability, 'available'> = {},
  ): OutgoingPresence[] {
    const { contact } = options
    if (action === 'available' || action === 'unavailable') {
      const availability: Availability =
        action === 'available' ? { available: true, show: options.show, status: options.status } : UNAVAILABLE
      const withStatus = { ...availability, status: options.status }
      if (contact !== undefined) return [this.availabilityStanza(user, contact, withStatus)]
      return this.publish(user, withStatus)
    }
    if (contact === undefined) throw new TypeError(`${action} needs a contact`)
    const state = this.contact(user, contact, true)!
    switch (action) {
      case 'subscribe':
        // Sent even when subscribed already: our state is only in memory, and a
        // peer that still knows the subscription answers `subscribed` at once.
        if (!state.to) state.pendingOut = true
        return [{ from: user, to: contact, type: 'subscribe' }]
      case 'approve': {
        state.from = true
        state.pendingIn = false
        const availability = this.user(user)?.availability ?? UNAVAILABLE
        const sent: OutgoingPresence[] = [{ from: user, to: contact, type: 'subscribed' }]
        // RFC 6121 §3.1.5: a new subscriber gets the user's current presence.
        if (availability.available) sent.push(this.availabilityStanza(user, contact, availability))
        return sent
      }
      case 'deny': {
        const wasSubscriber = state.from
        state.from = false
        state.pendingIn = false
        const sent: OutgoingPresence[] = []
        if (wasSubscriber && this.user(user)?.availability.available) {
          sent.push(this.availabilityStanza(user, contact, UNAVAILABLE))
        }
        sent.push({ from: user, to: contact, type: 'unsubscribed' })
        return sent
      }
      case 'unsubscribe':
        state.to = false
        state.pendingOut = false
        state.resources.clear()
        return [{ from: user, to: contact, type: 'unsubscribe' }]
    }
  }

  /** Applies a presence stanza for a local user; returns the replies RFC 6121 asks of us. */
  receive(presence: IncomingPresence): PresenceOutcome {
    const user = bareOf(presence.to)
    const contact = bareOf(presence.from)
    if (!user || !contact) return { replies: [], note: 'ignored: not a valid address' }
    switch (presence.type) {
      case 'probe':
        return this.answerProbe(user, contact, presence.from)
      case 'subscribe':
        return this.onSubscribe(user, contact)
      case 'subscribed': {
        const state = this.contact(user, contact, false)
        // RFC 6121 §3.1.6: only an approval we asked for counts.
        if (!state?.pendingOut) return { replies: [], note: 'ignored: no subscription request pending' }
        state.to = true
        state.pendingOut = false
        return { replies: [], note: `subscribed to ${contact}` }
      }
      case 'unsubscribe': {
        const state = this.contact(user, contact, false)
        if (state) {
          state.from = false
          state.pendingIn = false
        }
        return { replies: [], note: `${contact} no longer sees ${user}` }
      }
      case 'unsubscribed': {
        const state = this.contact(user, contact, false)
        if (state) {
          state.to = false
          state.pendingOut = false
          state.resources.clear()
        }
        return { replies: [], note: `${user} no longer sees ${contact}` }
      }
      case 'available':
      case 'unavailable':
        return this.onAvailability(user, contact, presence)
    }
  }

  roster(user: string): RosterView {
    const state = this.users.get(user)
    const contacts = [...(state?.contacts ?? [])].map(([jid, contact]) => ({
      jid,
      subscription: subscriptionOf(contact),
      pendingOut: contact.pendingOut,
      pendingIn: contact.pendingIn,
      available: contact.resources.size > 0,
      resources: [...contact.resources].map(([resource, facts]) => ({ jid: resource, ...facts })),
    }))
    return { user, presence: state?.availability ?? UNAVAILABLE, contacts }
  }

  /** Local users that are available now (announced unavailable on shutdown). */
  availableUsers(): string[] {
    return [...this.users].filter(([, state]) => state.availability.available).map(([user]) => user)
  }

  private publish(user: string, availability: Availability): OutgoingPresence[] {
    const state = this.user(user, true)!
    const wasAvailable = state.availability.available
    state.availability = availability
    const sent: OutgoingPresence[] = []
    for (const [jid, contact] of state.contacts) {
      if (contact.from) sent.push(this.availabilityStanza(user, jid, availability))
    }
    // RFC 6121 §4.2.2: coming online, ask the contacts we see for their presence.
    if (availability.available && !wasAvailable) {
      for (const [jid, contact] of state.contacts) {
        if (contact.to) sent.push({ from: this.fullJid(user), to: jid, type: 'probe' })
      }
    }
    return sent
  }

  private answerProbe(user: string, contact: string, prober: string): PresenceOutcome {
    const state = this.contact(user, contact, false)
    // A contact we know nothing of (e.g. after a restart) gets no answer rather
    // than an `unsubscribed` that would cancel a subscription we merely forgot.
    if (!state) return { replies: [], note: 'probe from an unknown contact: not answered' }
    if (!state.from) {
      return {
        replies: [{ from: user, to: contact, type: 'unsubscribed' }],
        note: 'probe from a non-subscriber',
      }
    }
    const availability = this.user(user)?.availability ?? UNAVAILABLE
    const reply = this.availabilityStanza(user, prober, availability)
    return {
      replies: [reply],
      note: `probe answered: ${availability.available ? 'available' : 'unavailable'}`,
    }
  }

  private onSubscribe(user: string, contact: string): PresenceOutcome {
    const existing = this.contact(user, contact, false)
    if (existing?.from) {
      // RFC 6121 §3.1.3: an existing subscriber is approved again without asking the user.
      const availability = this.user(user)?.availability ?? UNAVAILABLE
      return {
        replies: [
          { from: user, to: contact, type: 'subscribed' },
          this.availabilityStanza(user, contact, availability),
        ],
        note: 'already a subscriber: approved',
      }
    }
    const state = this.contact(user, contact, true, false)
    if (!state) return { replies: [], note: 'dropped: presence state is full' }
    state.pendingIn = true
    return { replies: [], note: 'waiting for approval' }
  }

  private onAvailability(user: string, contact: string, presence: IncomingPresence): PresenceOutcome {
    const state = this.contact(user, contact, false)
    // Directed presence from someone not in the roster is reported, not kept.
    if (!state) return { replies: [], note: 'from a contact not in the roster' }
    const resource = presence.from
    if (presence.type === 'unavailable') {
      if (resource === contact) state.resources.clear()
      else state.resources.delete(resource)
    } else {
      state.resources.set(resource, definedOnly({ show: presence.show, status: presence.status }))
    }
    return { replies: [], note: `${contact} is ${state.resources.size > 0 ? 'available' : 'unavailable'}` }
  }

  private availabilityStanza(user: string, to: string, availability: Availability): OutgoingPresence {
    if (!availability.available) {
      return definedOnly({
        from: this.fullJid(user),
        to,
        type: 'unavailable' as const,
        status: availability.status,
      })
    }
    return definedOnly({ from: this.fullJid(user), to, show: availability.show, status: availability.status })
  }

  private fullJid(user: string): string {
    return `${user}/${this.resource}`
  }

  private user(jid: string, create = false): User | undefined {
    let user = this.users.get(jid)
    if (!user && create) {
      if (this.users.size >= this.limits.maxUsers)
        throw new PresenceLimitError('too many users with presence state')
      user = { availability: UNAVAILABLE, contacts: new Map() }
      this.users.set(jid, user)
    }
    return user
  }

  /** The contact entry; with `create`, made when missing (throwing, or undefined, at the limits). */
  private contact(user: string, contact: string, create: boolean, throwAtLimit = true): Contact | undefined {
    try {
      const state = this.user(user, create)
      let entry = state?.contacts.get(contact)
      if (!entry && state && create) {
        if (state.contacts.size >= this.limits.maxContacts) {
          throw new PresenceLimitError(`${user} has too many contacts`)
        }
        entry = { to: false, from: false, pendingOut: false, pendingIn: false, resources: new Map() }
        state.contacts.set(contact, entry)
      }
      return entry
    } catch (error) {
      if (throwAtLimit || !(error instanceof PresenceLimitError)) throw error
      return undefined
    }
  }
}

function subscriptionOf(contact: Contact): Subscription {
  if (contact.to && contact.from) return 'both'
  if (contact.to) return 'to'
  if (contact.from) return 'from'
  return 'none'
}
