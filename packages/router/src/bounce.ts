import { NS, type StanzaErrorCondition, type StanzaErrorType } from '@xmpp-federation/stream'
import { clone, Element } from 'ltx'

/** RFC 6120 §8.3.3: the error type that goes with each condition we raise. */
const ERROR_TYPES: Partial<Record<StanzaErrorCondition, StanzaErrorType>> = {
  'remote-server-not-found': 'cancel',
  'remote-server-timeout': 'wait',
  'resource-constraint': 'wait',
  'service-unavailable': 'cancel',
  'policy-violation': 'modify',
  'feature-not-implemented': 'cancel',
  'not-allowed': 'cancel',
  'jid-malformed': 'modify',
  'bad-request': 'modify',
  'internal-server-error': 'cancel',
  'item-not-found': 'cancel',
  'not-authorized': 'auth',
  forbidden: 'auth',
}

/**
 * Whether a failed stanza is answered with an error stanza. Never for an
 * error (RFC 6120 §8.3.1: no error loops), an iq result, or presence other
 * than availability and subscription requests (RFC 6121 §4.3, §3.1.3): those
 * are dropped with a `bounce` event instead, so nothing vanishes unseen.
 */
export function shouldReturnError(stanza: Element): boolean {
  const type = stanza.attrs.type
  if (type === 'error') return false
  switch (stanza.name) {
    case 'message':
      return true
    case 'iq':
      return type === 'get' || type === 'set'
    case 'presence':
      return type === undefined || type === 'subscribe'
    default:
      return false
  }
}

/**
 * How much of the original payload an error stanza carries back, in serialized
 * characters. RFC 6120 §8.3.1 makes the payload optional: echoing all of it would let
 * a peer make us write back, and hold for a resend, every byte of what we refuse.
 */
export const MAX_ERROR_PAYLOAD = 2048

/**
 * The error stanza returned to the sender (RFC 6120 §8.3.2): addresses
 * swapped, the original payload kept while it fits in MAX_ERROR_PAYLOAD
 * (whole children only, in order), `<error/>` with the condition.
 */
export function errorReply(stanza: Element, condition: StanzaErrorCondition, text?: string): Element {
  const attrs: Record<string, string> = { type: 'error' }
  if (stanza.attrs.to) attrs.from = stanza.attrs.to
  if (stanza.attrs.from) attrs.to = stanza.attrs.from
  if (stanza.attrs.id) attrs.id = stanza.attrs.id
  const reply = new Element(stanza.name, attrs)
  let room = MAX_ERROR_PAYLOAD
  for (const child of stanza.children) {
    if (typeof child === 'string' || child.name === 'error') continue
    room -= child.toString().length
    if (room < 0) break
    reply.cnode(clone(child))
  }
  const error = reply.c('error', { type: ERROR_TYPES[condition] ?? 'cancel' })
  error.c(condition, { xmlns: NS.stanzas })
  if (text) error.c('text', { xmlns: NS.stanzas, 'xml:lang': 'en' }).t(text)
  return reply
}
