/**
 * Which local users exist, as the host knows them. Consulted before a stanza
 * from a remote domain is delivered to a local user, so that one for an account
 * that does not exist is answered as RFC 6121 §8.5.2.1 says, by the library.
 */
export interface UserDirectory {
  /** Whether `bareAddress` (`user@domain`, canonical form) is a local account. */
  exists(bareAddress: string): boolean | Promise<boolean>
}

/** What happens to a stanza for a user who does not exist (RFC 6121 §8.5.2.1). */
export type NoSuchUserOutcome =
  /** iq and message: an error back to the sender. */
  | { readonly kind: 'error'; readonly condition: 'service-unavailable' }
  /** A subscription request: answered `unsubscribed`, so the sender's roster settles. */
  | { readonly kind: 'unsubscribed' }
  /** Other presence, and errors: dropped (with a bounce event, never silently). */
  | { readonly kind: 'ignore' }

export function noSuchUser(stanza: {
  name: string
  attrs: Record<string, string | undefined>
}): NoSuchUserOutcome {
  const type = stanza.attrs.type
  if (type === 'error') return { kind: 'ignore' }
  if (stanza.name === 'presence') return type === 'subscribe' ? { kind: 'unsubscribed' } : { kind: 'ignore' }
  if (stanza.name === 'iq' && type !== 'get' && type !== 'set') return { kind: 'ignore' }
  return { kind: 'error', condition: 'service-unavailable' }
}
