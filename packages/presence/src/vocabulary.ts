// The words of RFC 6121 presence, as types and as lists for validating input.

/** A presence stanza's `type`; `available` stands for a presence without one (RFC 6121 §4.7.1). */
export type PresenceType =
  | 'available'
  | 'unavailable'
  | 'subscribe'
  | 'subscribed'
  | 'unsubscribe'
  | 'unsubscribed'
  | 'probe'

/** Every presence type RFC 6121 defines, `available` included. */
export const PRESENCE_TYPES: readonly PresenceType[] = [
  'available',
  'unavailable',
  'subscribe',
  'subscribed',
  'unsubscribe',
  'unsubscribed',
  'probe',
]

/** Who sees whose presence (RFC 6121 §2.1.2.5): `to` the user sees the contact, `from` the contact sees the user. */
export type Subscription = 'none' | 'to' | 'from' | 'both'

/** The `<show/>` values of RFC 6121 §4.7.2.1. */
export type Show = 'away' | 'chat' | 'dnd' | 'xa'

/** Every `<show/>` value, for validating input. */
export const SHOW_VALUES: readonly Show[] = ['away', 'chat', 'dnd', 'xa']

/** What a local user can do: manage a subscription, or announce availability. */
export type PresenceAction = 'subscribe' | 'approve' | 'deny' | 'unsubscribe' | 'available' | 'unavailable'

/** Every action, for validating input. */
export const PRESENCE_ACTIONS: readonly PresenceAction[] = [
  'subscribe',
  'approve',
  'deny',
  'unsubscribe',
  'available',
  'unavailable',
]
