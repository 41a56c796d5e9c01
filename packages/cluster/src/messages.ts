import type { StanzaErrorCondition } from '@xmpp-federation/stream'

// What nodes tell each other over their channels (sharded pub/sub). Pub/sub is not durable: a
// lost `pull` or `claim` only delays (owners pull and survivors scan on every tick), a lost
// `outcome` leaves the origin to its timer (the stanza's TTL plus a margin).

export type NodeMessage =
  /** A node joined: refresh the membership now. */
  | { readonly t: 'hello' }
  /** New entries in a pair's outbox: its owner should read them. */
  | { readonly t: 'pull'; readonly l: string; readonly r: string }
  /** A pair needs an owner and the rendezvous hash picked the receiver. */
  | { readonly t: 'claim'; readonly l: string; readonly r: string }
  /** How a stanza sent on the receiver ended: written by the owner, or bounced with a condition. */
  | {
      readonly t: 'outcome'
      readonly k: string
      readonly ok: boolean
      readonly c?: StanzaErrorCondition
      readonly m?: string
    }
  /** An inbound stanza for a user the receiver serves (locate()). */
  | { readonly t: 'inbound'; readonly l: string; readonly r: string; readonly x: string }
  /** An iq answer to a request() the receiver made. */
  | { readonly t: 'answer'; readonly l: string; readonly r: string; readonly x: string }

const TYPES = new Set(['hello', 'pull', 'claim', 'outcome', 'inbound', 'answer'])

/** Parses a channel message; undefined for anything malformed (logged by the caller, never thrown). */
export function parseMessage(text: string): NodeMessage | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const message = value as Record<string, unknown>
  if (typeof message.t !== 'string' || !TYPES.has(message.t)) return undefined
  const strings = (...fields: string[]) => fields.every((field) => typeof message[field] === 'string')
  switch (message.t) {
    case 'hello':
      return message as NodeMessage
    case 'pull':
    case 'claim':
      return strings('l', 'r') ? (message as NodeMessage) : undefined
    case 'outcome':
      return strings('k') && typeof message.ok === 'boolean' ? (message as NodeMessage) : undefined
    default:
      return strings('l', 'r', 'x') ? (message as NodeMessage) : undefined
  }
}
