import type { Subscription } from './vocabulary.js'

/** The user sees the contact's presence. */
export function seesContact(subscription: Subscription): boolean {
  return subscription === 'to' || subscription === 'both'
}

/** The contact sees the user's presence. */
export function seenByContact(subscription: Subscription): boolean {
  return subscription === 'from' || subscription === 'both'
}

/** The subscription with one direction turned on or off. */
export function withDirection(
  subscription: Subscription,
  direction: 'to' | 'from',
  on: boolean,
): Subscription {
  const to = direction === 'to' ? on : seesContact(subscription)
  const from = direction === 'from' ? on : seenByContact(subscription)
  if (to && from) return 'both'
  if (to) return 'to'
  if (from) return 'from'
  return 'none'
}
