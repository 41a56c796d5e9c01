import { randomBytes } from 'node:crypto'
import { type OutgoingPresence, presenceElement } from '@xmpp-federation/presence'
import type { Federation } from '@xmpp-federation/router'
import type { Element } from 'ltx'
import { type GatewayLog, quoteBody } from './log.js'
import { messageStanza, type OutgoingMessage } from './stanzas.js'

export interface Sender {
  /** Resolves once written to an authenticated stream; rejects with the router's DeliveryError. */
  message(message: OutgoingMessage): Promise<void>
  presence(presence: OutgoingPresence): Promise<void>
  /** Fire and forget (answers to iq requests): a failure is reported by the router's bounce event. */
  reply(stanza: Element): void
}

/** Sends through the federation and logs what went out; failures are logged once, as bounces. */
export function createSender(federation: Federation, log: GatewayLog): Sender {
  return {
    async message(message) {
      await federation.send(messageStanza(message))
      log.event('message', `out ${message.from} → ${message.to} ${quoteBody(message.body)}`, {
        direction: 'out',
        from: message.from,
        to: message.to,
        id: message.id,
      })
    },
    async presence(presence) {
      await federation.send(presenceElement(presence, newStanzaId()))
      const what = presence.type ?? 'available'
      const show = presence.show ? ` [${presence.show}]` : ''
      log.event(
        'presence',
        `out ${presence.from} → ${presence.to} ${what}${show}${statusText(presence.status)}`,
        {
          direction: 'out',
          from: presence.from,
          to: presence.to,
          type: what,
        },
      )
    },
    reply(stanza) {
      federation.send(stanza).catch((error: Error) => {
        log.event('iq', `reply to ${stanza.attrs.to} not sent: ${error.message}`, {}, 'debug')
      })
    },
  }
}

export function newStanzaId(): string {
  return randomBytes(8).toString('hex')
}

export function statusText(status: string | undefined): string {
  return status ? ` (${quoteBody(status, 40)})` : ''
}
