import type { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import { errorReply, MAX_ERROR_PAYLOAD, xml } from '../src/index.js'
import type { PendingStanza } from '../src/queue.js'
import { pendingOf, StanzaQueue } from '../src/queue.js'

const pending = (stanza: Element): PendingStanza => ({
  stanza,
  expiresAt: Date.now() + 1000,
  resolve: () => {},
  reject: () => {},
})
const message = (id: string, body = 'x') =>
  xml('message', { from: 'a@c.test', to: 'b@d.test', id }, xml('body', {}, body))

describe('errorReply', () => {
  it('keeps a small payload whole', () => {
    const reply = errorReply(message('m1', 'hello'), 'remote-server-timeout')
    expect(reply.getChildText('body')).toBe('hello')
  })

  it(`keeps whole children while they fit in ${MAX_ERROR_PAYLOAD} characters, then stops`, () => {
    const stanza = xml(
      'message',
      { from: 'a@c.test', to: 'b@d.test' },
      xml('body', {}, 'short'),
      xml('big', { xmlns: 'urn:example' }, 'x'.repeat(200 * 1024)),
      xml('after', { xmlns: 'urn:example' }),
    )
    const reply = errorReply(stanza, 'service-unavailable')
    expect(reply.getChildText('body')).toBe('short')
    expect(reply.getChild('big')).toBeUndefined()
    expect(reply.getChild('after')).toBeUndefined()
    expect(reply.toString().length).toBeLessThan(MAX_ERROR_PAYLOAD + 512)
  })
})

describe('StanzaQueue.requeue', () => {
  it('puts back what fits, oldest first, and returns the rest', () => {
    const queue = new StanzaQueue({ maxStanzas: 3, maxBytes: 1 << 20 })
    queue.offer(pending(message('new')))
    const refused = queue.requeue(['r1', 'r2', 'r3'].map((id) => pending(message(id))))
    expect(refused.map((item) => item.stanza.attrs.id)).toEqual(['r3'])
    expect(queue.drain().map((item) => pendingOf(item).stanza.attrs.id)).toEqual(['r1', 'r2', 'new'])
  })

  it('honours the byte limit too', () => {
    const one = Buffer.byteLength(message('r1', 'y'.repeat(100)).toString())
    const queue = new StanzaQueue({ maxStanzas: 100, maxBytes: one * 2 })
    const refused = queue.requeue(['r1', 'r2', 'r3'].map((id) => pending(message(id, 'y'.repeat(100)))))
    expect(refused).toHaveLength(1)
    expect(queue.bytes).toBeLessThanOrEqual(one * 2)
  })
})
