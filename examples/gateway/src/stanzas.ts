import { presenceType } from '@xmpp-federation/presence'
import { xml } from '@xmpp-federation/router'
import type { Element } from 'ltx'
import { definedOnly } from './defined-only.js'
import type { InboxEntry } from './inbox.js'

// Between stanzas and the gateway's plain data: what it sends, and what it records.

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

export interface OutgoingMessage {
  readonly id: string
  readonly from: string
  readonly to: string
  readonly type: string
  readonly body: string
}

export function messageStanza(message: OutgoingMessage): Element {
  const { id, from, to, type, body } = message
  return xml('message', { id, from, to, type }, xml('body', {}, body))
}

/**
 * The inbox entry for a stanza addressed to a local user, or undefined for
 * what is not worth keeping (iq, messages without a body such as chat states).
 */
export function inboxEntry(stanza: Element): InboxEntry | undefined {
  const from = stanza.attrs.from ?? ''
  const to = stanza.attrs.to ?? ''
  if (stanza.attrs.type === 'error') return errorEntry(stanza, readError(stanza))
  if (stanza.name === 'message') {
    const body = stanza.getChildText('body')
    if (body === null) return undefined
    return definedOnly({
      kind: 'message' as const,
      from,
      to,
      id: stanza.attrs.id,
      type: stanza.attrs.type ?? 'normal',
      body,
      subject: stanza.getChildText('subject') ?? undefined,
      thread: stanza.getChildText('thread') ?? undefined,
    })
  }
  if (stanza.name === 'presence') {
    const type = presenceType(stanza)
    if (type === undefined) return undefined
    return definedOnly({
      kind: 'presence' as const,
      from,
      to,
      type,
      show: stanza.getChildText('show') ?? undefined,
      status: stanza.getChildText('status') ?? undefined,
    })
  }
  return undefined
}

/**
 * The entry for a stanza of ours that was refused: seen from the sender, as
 * if the error stanza had come back (used when RFC 6121 forbids sending one).
 */
export function refusedEntry(stanza: Element, condition: string, text: string): InboxEntry {
  const turned = { ...stanza.attrs, from: stanza.attrs.to, to: stanza.attrs.from }
  return errorEntry({ name: stanza.name, attrs: turned }, { condition, text })
}

function errorEntry(
  stanza: Pick<Element, 'name' | 'attrs'>,
  error: { condition: string; text: string | undefined },
): InboxEntry {
  const name = stanza.name === 'message' || stanza.name === 'presence' ? stanza.name : 'iq'
  return definedOnly({
    kind: 'error' as const,
    from: stanza.attrs.from ?? '',
    to: stanza.attrs.to ?? '',
    stanza: name,
    id: stanza.attrs.id,
    condition: error.condition,
    text: error.text,
  })
}

/** The RFC 6120 §8.3 condition and text of an error stanza. */
export function readError(stanza: Element): { condition: string; text: string | undefined } {
  const error = stanza.getChild('error')
  const condition = error
    ?.getChildElements()
    .find((child) => child.attrs.xmlns === NS_STANZAS && child.name !== 'text')
  const text = error?.getChild('text', NS_STANZAS)?.getText()
  return { condition: condition?.name ?? 'undefined-condition', text: text || undefined }
}
