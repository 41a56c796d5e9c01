import { Element } from 'ltx'
import { definedOnly } from './defined-only.js'
import type { IncomingPresence, OutgoingPresence } from './stanza-data.js'
import { PRESENCE_TYPES, type PresenceType } from './vocabulary.js'

// Between presence data and ltx elements, for hosts that speak XML.

/** The presence stanza for `presence`, with an `id` if given, and no empty parts. */
export function presenceElement(presence: OutgoingPresence, id?: string): Element {
  const { from, to, type, show, status } = presence
  const attrs: Record<string, string> = {}
  if (id !== undefined) attrs.id = id
  Object.assign(attrs, { from, to })
  if (type !== undefined) attrs.type = type
  const element = new Element('presence', attrs)
  if (show) element.c('show').t(show)
  if (status) element.c('status').t(status)
  return element
}

/** `available` for a presence without type, undefined for a type RFC 6121 does not define (or `error`). */
export function presenceType(stanza: Element): PresenceType | undefined {
  const type = stanza.attrs.type as string | undefined
  if (type === undefined) return 'available'
  return (PRESENCE_TYPES as readonly string[]).includes(type) && type !== 'available'
    ? (type as PresenceType)
    : undefined
}

/** The data of a presence stanza for the book, or undefined when it is no presence RFC 6121 defines. */
export function readPresence(stanza: Element): IncomingPresence | undefined {
  const type = stanza.name === 'presence' ? presenceType(stanza) : undefined
  if (type === undefined) return undefined
  return definedOnly({
    from: stanza.attrs.from ?? '',
    to: stanza.attrs.to ?? '',
    type,
    show: stanza.getChildText('show') ?? undefined,
    status: stanza.getChildText('status') ?? undefined,
  })
}
