import { type PresenceBook, presenceType } from '@xmpp-federation/presence'
import { errorReply, xml } from '@xmpp-federation/router'
import type { Element } from 'ltx'
import type { Inbox } from './inbox.js'
import { type GatewayLog, quoteBody } from './log.js'
import { type Sender, statusText } from './sender.js'
import { inboxEntry, readError } from './stanzas.js'

export interface InboundDeps {
  readonly inbox: Inbox
  readonly presence: PresenceBook
  readonly sender: Sender
  readonly log: GatewayLog
  /** Error stanzas the router made for our own bounces (already logged as such). */
  readonly ownBounces: WeakSet<Element>
}

const NS_PING = 'urn:xmpp:ping'

/**
 * A stanza for a local user (or an error returned to one): recorded in the
 * inbox, presence applied to the users' subscription state, iq answered.
 */
export function handleInbound(stanza: Element, deps: InboundDeps): void {
  if (stanza.attrs.type === 'error') recordError(stanza, deps)
  else if (stanza.name === 'message') recordMessage(stanza, deps)
  else if (stanza.name === 'presence') applyPresence(stanza, deps)
  else if (stanza.name === 'iq') answerIq(stanza, deps)
}

function recordMessage(stanza: Element, { inbox, log }: InboundDeps): void {
  const entry = inboxEntry(stanza)
  const { from, to } = stanza.attrs
  if (entry?.kind !== 'message') {
    log.event('message', `in ${from} → ${to} without a body (not kept)`, {}, 'debug')
    return
  }
  inbox.add(entry)
  log.event('message', `in ${from} → ${to} ${quoteBody(entry.body)}`, {
    direction: 'in',
    from,
    to,
    id: entry.id,
  })
}

function applyPresence(stanza: Element, { inbox, presence, sender, log }: InboundDeps): void {
  const { from = '', to = '' } = stanza.attrs
  const type = presenceType(stanza)
  if (type === undefined) {
    log.event('presence', `in ${from} → ${to} of unknown type ${stanza.attrs.type} (ignored)`, {}, 'warn')
    return
  }
  const status = stanza.getChildText('status') ?? undefined
  // Into the inbox at once, so it keeps its place among the stanzas that follow
  // it; the book's state (the roster) follows as soon as its store has answered.
  const entry = inboxEntry(stanza)
  if (entry) inbox.add(entry)
  presence.receive({ from, to, type, show: stanza.getChildText('show') ?? undefined, status }).then(
    (outcome) => {
      log.event('presence', `in ${from} → ${to} ${type}${statusText(status)}: ${outcome.note}`, {
        direction: 'in',
        from,
        to,
        type,
        outcome: outcome.note,
      })
      // A failed reply shows up as a bounce event; nothing more to do here.
      for (const reply of outcome.replies) sender.presence(reply).catch(() => {})
    },
    (error: Error) => {
      log.event(
        'presence',
        `in ${from} → ${to} ${type}: not applied (${error.message})`,
        { from, to, type },
        'error',
      )
    },
  )
}

function recordError(stanza: Element, { inbox, log, ownBounces }: InboundDeps): void {
  const { condition, text } = readError(stanza)
  const entry = inboxEntry(stanza)
  // Errors for iq requests (pings) are answered to their caller, not kept.
  if (entry && stanza.name !== 'iq') inbox.add(entry)
  log.event(
    'bounce',
    `in ${stanza.name} error ${stanza.attrs.from} → ${stanza.attrs.to}: ${condition}${text ? ` (${text})` : ''}`,
    { from: stanza.attrs.from, to: stanza.attrs.to, stanza: stanza.name, condition },
    ownBounces.has(stanza) ? 'debug' : 'info',
  )
}

/** iq for a user's bare JID is the server's to answer (RFC 6121 §8.5.1): ping yes, the rest not. */
function answerIq(stanza: Element, { sender, log }: InboundDeps): void {
  const { type, from, to } = stanza.attrs
  if (type !== 'get' && type !== 'set') {
    log.event('iq', `unexpected iq ${type} from ${from} to ${to} (ignored)`, {}, 'debug')
    return
  }
  const payload = stanza.getChildElements()[0]
  if (type === 'get' && payload?.name === 'ping' && payload.attrs.xmlns === NS_PING) {
    sender.reply(xml('iq', { type: 'result', id: stanza.attrs.id, from: to, to: from }))
    log.event('iq', `ping from ${from} to ${to} answered`, { from, to })
    return
  }
  sender.reply(errorReply(stanza, 'service-unavailable', 'the gateway answers no such request'))
  log.event('iq', `${type} ${payload?.attrs.xmlns ?? '(empty)'} from ${from} to ${to}: service-unavailable`, {
    from,
    to,
  })
}
