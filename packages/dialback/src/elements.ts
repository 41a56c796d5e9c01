import { NS, normalizeDomain, type PeerHeader, type StanzaErrorCondition } from '@xmpp-federation/stream'
import { Element } from 'ltx'
import { errorTypeFor } from './errors.js'

/**
 * The two dialback elements: `db:result` (the claim) and `db:verify` (the check with the authoritative
 * server).
 */
export type DialbackKind = 'result' | 'verify'
/** The `type` of a dialback answer. */
export type DialbackVerdict = 'valid' | 'invalid' | 'error'

/** A `<db:result/>` or `<db:verify/>` as received (XEP-0220 §2.1, §2.2). */
export interface DialbackElement {
  readonly kind: DialbackKind
  /** Normalized domains, undefined when missing or not a domain. */
  readonly from: string | undefined
  readonly to: string | undefined
  /** The attributes as written, echoed back in errors so the peer can match them. */
  readonly rawFrom: string
  readonly rawTo: string
  /** The stream id (db:verify only). */
  readonly id: string | undefined
  /** Absent on a request; an answer carries valid, invalid or error (anything else is kept as is). */
  readonly type: string | undefined
  readonly key: string
  /** The stanza error condition of a `type='error'` answer (§2.5). */
  readonly error: { condition: StanzaErrorCondition; text: string | undefined } | undefined
}

/** Reads a dialback element; undefined for anything else. */
export function parseDialback(el: Element): DialbackElement | undefined {
  if (el.attrs.xmlns !== NS.dialback || (el.name !== 'result' && el.name !== 'verify')) return undefined
  const rawFrom = String(el.attrs.from ?? '')
  const rawTo = String(el.attrs.to ?? '')
  return {
    kind: el.name,
    from: rawFrom ? normalizeDomain(rawFrom) : undefined,
    to: rawTo ? normalizeDomain(rawTo) : undefined,
    rawFrom,
    rawTo,
    id: el.attrs.id === undefined ? undefined : String(el.attrs.id),
    type: el.attrs.type === undefined ? undefined : String(el.attrs.type),
    // Keys are hex; peers may wrap them in whitespace (XEP-0220's own examples do).
    key: el.getText().trim(),
    error: el.attrs.type === 'error' ? readError(el) : undefined,
  }
}

/** Step 1: the originating server's key (XEP-0220 §2.1.1). */
export function resultRequest(from: string, to: string, key: string): Element {
  return new Element('db:result', { from, to }).t(key)
}

/** Step 4: the receiving server's verdict (§2.2.1), `from` being the target domain. */
export function resultAnswer(
  from: string,
  to: string,
  type: DialbackVerdict,
  error?: { condition: StanzaErrorCondition; text?: string },
): Element {
  return withError(new Element('db:result', { from, to, type }), error)
}

/** Step 2: the receiving server asks the authoritative server (§2.1.2). */
export function verifyRequest(from: string, to: string, id: string, key: string): Element {
  return new Element('db:verify', { from, to, id }).t(key)
}

/** Step 3: the authoritative server's verdict (§2.2.2), from/to swapped from the request. */
export function verifyAnswer(
  from: string,
  to: string,
  id: string,
  type: DialbackVerdict,
  error?: { condition: StanzaErrorCondition; text?: string },
): Element {
  return withError(new Element('db:verify', { from, to, id, type }), error)
}

/** The stream feature announcing dialback with error handling (§2.4.2). */
export function dialbackFeature(): Element {
  return new Element('dialback', { xmlns: NS.dialbackFeature }).c('errors').root()
}

/** What the peer said about dialback, from its features and stream header. */
export interface DialbackSupport {
  /** The peer speaks dialback: the feature (§2.4.2) or the namespace on its stream header (§2.4.1). */
  readonly dialback: boolean
  /** The peer understands `type='error'` (§2.4.2), a precondition for target multiplexing (§2.6.2). */
  readonly errors: boolean
}

/** Reads DialbackSupport from the peer's features (when it sent any) and its stream header. */
export function dialbackSupport(
  features: Element | undefined,
  header: PeerHeader | undefined,
): DialbackSupport {
  const feature = features?.getChild('dialback', NS.dialbackFeature)
  return {
    dialback: feature !== undefined || header?.dialback === true,
    errors: feature?.getChild('errors') !== undefined,
  }
}

/** Whether `el` answers our request of `kind` for (remote → local), and for stream `id` when given. */
export function answers(
  el: Element,
  kind: DialbackKind,
  remote: string,
  local: string,
  id?: string,
): boolean {
  const answer = parseDialback(el)
  return (
    answer !== undefined &&
    answer.kind === kind &&
    answer.type !== undefined &&
    answer.from === remote &&
    answer.to === local &&
    (id === undefined || answer.id === id)
  )
}

function withError(el: Element, error: { condition: StanzaErrorCondition; text?: string } | undefined) {
  if (!error) return el
  // The <error/> child is qualified by jabber:server, the stream's default namespace (§2.5).
  const child = el.c('error', { type: errorTypeFor(error.condition) })
  child.c(error.condition, { xmlns: NS.stanzas })
  if (error.text) child.c('text', { xmlns: NS.stanzas, 'xml:lang': 'en' }).t(error.text)
  return el
}

function readError(el: Element): DialbackElement['error'] {
  const error = el.getChildElements().find((child) => child.name === 'error')
  let condition: StanzaErrorCondition = 'undefined-condition'
  let text: string | undefined
  for (const child of error?.getChildElements() ?? []) {
    if (child.attrs.xmlns !== NS.stanzas) continue
    if (child.name === 'text') text = child.getText()
    else condition = child.name as StanzaErrorCondition
  }
  return { condition, text }
}
