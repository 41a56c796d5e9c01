import { type S2SSession, SerializedStanza } from '@xmpp-federation/stream'
import { EventEmitter } from 'eventemitter3'
import type { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import { type LinkOptions, OutboundLink } from '../src/outbound-link.js'
import { type PendingStanza, pendingOf, StanzaQueue } from '../src/queue.js'
import { xml } from '../src/xml.js'

const pending = (id: string, answer = false): PendingStanza => ({
  stanza: xml('iq', { from: 'c.test', to: 'd.test', id, type: answer ? 'result' : 'get' }),
  expiresAt: Date.now() + 60_000,
  answer,
  resolve: () => {},
  reject: () => {},
})

/** The parts of a stream a link uses: established, records what is written. */
function fakeStream(): S2SSession & { written: string[] } {
  const stream = Object.assign(new EventEmitter(), {
    phase: 'established',
    bidi: true,
    canSendStanza: true,
    unacknowledged: [],
    written: [] as string[],
    // What waited in the link's queue comes as the text it was serialized to.
    sendStanza(stanza: Element | SerializedStanza) {
      const element = SerializedStanza.is(stanza) ? stanza.toElement() : stanza
      stream.written.push(element.attrs.id)
    },
    close: async () => ({ error: undefined, initiator: 'local' }),
  })
  return stream as unknown as S2SSession & { written: string[] }
}

/** A link to d.test that takes `stream` (offered by the peer) and never dials; `options` override. */
function linkOver(stream: S2SSession, options: Partial<LinkOptions> = {}): OutboundLink {
  return new OutboundLink({
    local: 'c.test',
    remote: 'd.test',
    queue: { maxStanzas: 10, maxBytes: 10_000 },
    connect: () => Promise.reject(new Error('must not dial: the peer offered a stream')),
    offered: () => stream,
    admit: async () => {},
    backoff: { initialMs: 60_000, maxMs: 60_000 },
    onBounce: () => {
      throw new Error('nothing bounces here')
    },
    onEstablished: () => {},
    onFailure: () => {},
    onClosed: () => {},
    onResend: () => {},
    resendTtlMs: 1000,
    ...options,
  })
}

describe('StanzaQueue.take', () => {
  it('removes what it selects, keeps the rest in order, and keeps the byte count right', () => {
    const queue = new StanzaQueue({ maxStanzas: 10, maxBytes: 10_000 })
    for (const item of [pending('a'), pending('b', true), pending('c'), pending('d', true)]) queue.offer(item)
    const bytesBefore = queue.bytes
    expect(queue.take((item) => item.answer === true).map((i) => pendingOf(i).stanza.attrs.id)).toEqual([
      'b',
      'd',
    ])
    expect(queue.bytes).toBeLessThan(bytesBefore)
    expect(queue.drain().map((i) => pendingOf(i).stanza.attrs.id)).toEqual(['a', 'c'])
    expect(queue.bytes).toBe(0)
  })
})

describe('OutboundLink taking a stream the peer opened (XEP-0288)', () => {
  it('writes waiting answers at once and holds the rest until admission completes', async () => {
    const stream = fakeStream()
    let admitted!: () => void
    const link = linkOver(stream, {
      admit: () =>
        new Promise<void>((resolve) => {
          admitted = resolve
        }),
    })
    // The answer is queued first: it is what makes the link take the stream.
    link.send(pending('answer', true))
    link.send(pending('message'))
    // The peer may be waiting for this answer before it admits us in turn.
    expect(stream.written).toEqual(['answer'])
    expect(link.state).toBe('admitting')
    admitted()
    await expect.poll(() => link.state).toBe('established')
    expect(stream.written).toEqual(['answer', 'message'])
  })
})

describe('OutboundLink refused after admission (a known peer whose new XEP-0092 answer refuses it)', () => {
  it('writes nothing more on the stream, closes it with policy-violation and bounces what waits', async () => {
    const stream = fakeStream()
    const closed: (string | undefined)[] = []
    stream.close = async (condition?: unknown) => {
      closed.push(condition as string | undefined)
      ;(stream as { phase: string }).phase = 'closing'
      return { error: undefined, initiator: 'local' } as never
    }
    let refuseLater!: (error: Error) => void
    const bounced: { id: string; condition: string }[] = []
    const failures: string[] = []
    const link = linkOver(stream, {
      connect: () => Promise.reject(new Error('refused')),
      admit: async (_session, refuse) => {
        refuseLater = refuse
      },
      onBounce: (item, condition) => bounced.push({ id: item.stanza.attrs.id, condition }),
      onFailure: (_error, condition) => failures.push(condition),
    })
    link.send(pending('first'))
    await expect.poll(() => link.state).toBe('established')
    expect(stream.written).toEqual(['first'])
    // Held by the XEP-0198 window: still waiting when the refusal comes.
    ;(stream as { canSendStanza: boolean }).canSendStanza = false
    link.send(pending('held'))
    const { DeliveryError } = await import('../src/errors.js')
    refuseLater(new DeliveryError('policy-violation', 'd.test runs Evil 1'))
    expect(closed).toEqual(['policy-violation'])
    expect(bounced).toEqual([{ id: 'held', condition: 'policy-violation' }])
    expect(failures).toEqual(['policy-violation'])
    expect(link.session).toBeUndefined()
    // Nothing more reaches the refused peer's stream.
    ;(stream as { canSendStanza: boolean }).canSendStanza = true
    link.send(pending('later'))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(stream.written).toEqual(['first'])
    await link.stop('done')
  })
})

describe('OutboundLink queueing while the XEP-0198 window is full', () => {
  it('writes what waited as the text it was queued as, and bounces what XML cannot carry at once', async () => {
    const stream = fakeStream()
    const bounced: { id: string; condition: string }[] = []
    const link = linkOver(stream, {
      onBounce: (item, condition) => bounced.push({ id: item.stanza.attrs.id, condition }),
    })
    link.send(pending('first'))
    await expect.poll(() => link.state).toBe('established')
    ;(stream as { canSendStanza: boolean }).canSendStanza = false
    const unwritable = pending('bell')
    unwritable.stanza.c('body').t('ding \u0007')
    link.send(pending('waits'))
    link.send(unwritable)
    expect(bounced).toEqual([{ id: 'bell', condition: 'bad-request' }])
    expect(link.queued.stanzas).toBe(1)
    // The window opens again: what waited goes out.
    ;(stream as { canSendStanza: boolean }).canSendStanza = true
    stream.emit('acked', 1)
    expect(stream.written).toEqual(['first', 'waits'])
    await link.stop('done')
  })
})
