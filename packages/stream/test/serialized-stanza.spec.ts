import { Element } from 'ltx'
import { beforeAll, describe, expect, it } from 'vitest'
import { InvalidXmlCharError, SerializedStanza } from '../src/index.js'
import { connectedPair, createPki, type Pki } from './fixtures.js'

const chat = (from: string, to: string, body: string) =>
  new Element('message', { from, to, type: 'chat', id: 'm1' }).c('body').t(body).root()

describe('SerializedStanza', () => {
  it('holds the text the element serializes to, its UTF-8 size and its domains', () => {
    const stanza = chat('Bot@C.test/x', 'alice@d.test', '<&> é 😀')
    const serialized = SerializedStanza.of(stanza)
    expect(serialized.text).toBe(stanza.toString())
    expect(serialized.bytes).toBe(Buffer.byteLength(stanza.toString()))
    expect(serialized.bytes).toBeGreaterThan(serialized.text.length)
    expect([serialized.fromDomain, serialized.toDomain]).toEqual(['c.test', 'd.test'])
    expect(serialized.toElement().toString()).toBe(stanza.toString())
  })

  it('refuses what XML cannot carry, as the stream would when writing it', () => {
    expect(() => SerializedStanza.of(chat('bot@c.test', 'alice@d.test', 'bell \u0007'))).toThrow(
      InvalidXmlCharError,
    )
  })

  it('tells its own from look-alikes', () => {
    const real = SerializedStanza.of(chat('bot@c.test', 'alice@d.test', 'hi'))
    const shaped = { ...real, text: '<message/>', fromDomain: 'c.test', toDomain: 'd.test', bytes: 10 }
    const sameClass = Object.assign(Object.create(SerializedStanza.prototype), shaped)
    expect(SerializedStanza.is(real)).toBe(true)
    expect(SerializedStanza.is(shaped)).toBe(false)
    expect(SerializedStanza.is(sameClass)).toBe(false)
  })
})

describe('a stream writing a SerializedStanza', () => {
  let pki: Pki
  beforeAll(async () => {
    pki = await createPki()
  })

  it('writes its text after the same pair check as an element gets', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    const inbound = await pair.listener.nextSession()
    const received = new Promise<Element>((resolve) => inbound.once('stanza', resolve))
    outbound.sendStanza(SerializedStanza.of(chat('bot@c.test', 'alice@d.test', 'as text')))
    expect((await received).getChildText('body')).toBe('as text')
    // Not a pair authenticated here: refused before a byte is written.
    expect(() => outbound.sendStanza(SerializedStanza.of(chat('bot@e.test', 'alice@d.test', 'no')))).toThrow(
      /not authenticated for e.test -> d.test/,
    )
    expect(outbound.stats.stanzasOut).toBe(1)
    await pair.close()
  })
})
