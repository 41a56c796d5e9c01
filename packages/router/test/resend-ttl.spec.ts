import {
  type S2SSession,
  SerializedStanza,
  type StanzaTracking,
  type UnacknowledgedStanza,
} from '@xmpp-federation/stream'
import { EventEmitter } from 'eventemitter3'
import type { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import { OutboundLink } from '../src/outbound-link.js'
import type { PendingStanza } from '../src/queue.js'
import { xml } from '../src/xml.js'

const pending = (id: string, expiresAt = Date.now() + 60_000): PendingStanza => ({
  stanza: xml('message', { from: 'a@c.test', to: 'b@d.test', id }),
  expiresAt,
  resolve: () => {},
  reject: () => {},
})

describe('OutboundLink resending what a broken stream left unacknowledged', () => {
  it('keeps the TTL each stanza was given when first sent; others get the resend TTL', async () => {
    const stream = Object.assign(new EventEmitter(), {
      phase: 'established',
      bidi: true,
      canSendStanza: true,
      sm: { enabled: true },
      // The stream keeps what the link attached to each stanza, as a real one does.
      unacknowledged: [] as UnacknowledgedStanza[],
      written: [] as Element[],
      sendStanza(sent: Element | SerializedStanza, tracking?: StanzaTracking) {
        const stanza = SerializedStanza.is(sent) ? sent.toElement() : sent
        stream.written.push(stanza)
        stream.unacknowledged.push({ stanza, expiresAt: tracking?.expiresAt, receipt: tracking?.receipt })
      },
      close: async () => ({ error: undefined, initiator: 'local' }),
    })
    // A getter: Object.assign would have copied its value once.
    Object.defineProperty(stream, 'unacknowledgedCount', { get: () => stream.unacknowledged.length })
    let offer: unknown = stream
    const bounced: string[] = []
    const link = new OutboundLink({
      local: 'c.test',
      remote: 'd.test',
      queue: { maxStanzas: 10, maxBytes: 10_000 },
      // The redial never completes: what is resent waits in the queue until it expires.
      connect: () => new Promise(() => {}),
      offered: () => offer as S2SSession | undefined,
      admit: async () => {},
      backoff: { initialMs: 10, maxMs: 10 },
      onBounce: (item, condition) => bounced.push(`${item.stanza.attrs.id} ${condition}`),
      onEstablished: () => {},
      onFailure: () => {},
      onClosed: () => {},
      onResend: () => {},
      resendTtlMs: 150,
    })
    const acked = pending('acked')
    const soon = pending('soon', Date.now() + 50)
    const late = pending('late', Date.now() + 60_000)
    link.send(acked)
    await expect.poll(() => link.state).toBe('established')
    link.send(soon)
    link.send(late)
    expect(stream.written.map((s) => s.attrs.id)).toEqual(['acked', 'soon', 'late'])
    stream.unacknowledged.shift()
    stream.emit('acked', 1)
    // Written by another writer with nothing attached: it gets the resend TTL.
    const foreign = xml('iq', { from: 'c.test', to: 'd.test', id: 'foreign', type: 'get' })
    stream.unacknowledged.splice(1, 0, { stanza: foreign, expiresAt: undefined, receipt: undefined })
    offer = undefined
    stream.emit('closed', { error: new Error('connection reset'), initiator: 'remote' })
    await new Promise((resolve) => setTimeout(resolve, 400))
    // 'soon' keeps its 50 ms, 'foreign' gets the 150 ms resend TTL, 'late' still waits.
    expect(bounced).toEqual(['soon remote-server-timeout', 'foreign remote-server-timeout'])
    await link.stop('done')
  })
})
