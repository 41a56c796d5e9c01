import { Element } from 'ltx'
import { beforeAll, describe, expect, it } from 'vitest'
import { StreamManagement } from '../src/index.js'
import { connectedPair, createPki, type Pki } from './fixtures.js'

const message = (i: number) =>
  new Element('message', { from: 'bot@c.test', to: 'eve@d.test', id: `m${i}` }).c('body').t(`#${i}`).root()

describe('XEP-0198 stream management on s2s', () => {
  let pki: Pki
  beforeAll(async () => {
    pki = await createPki()
  })

  it('is enabled after EXTERNAL and every stanza gets acknowledged', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    expect(outbound.sm?.enabled).toBe(true)
    const acked: string[] = []
    outbound.on('acked', (stanzas) => acked.push(...stanzas.map((s) => s.attrs.id ?? '')))
    for (let i = 0; i < 45; i++) outbound.sendStanza(message(i))
    await expect.poll(() => acked.length, { timeout: 3000 }).toBe(45)
    expect(acked).toEqual(Array.from({ length: 45 }, (_, i) => `m${i}`))
    expect(outbound.unacknowledged).toEqual([])
    const inbound = await pair.listener.nextSession()
    expect(inbound.sm?.handled).toBe(45)
    await pair.close()
  })

  it('keeps what a dead stream never acknowledged', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    const inbound = await pair.listener.nextSession()
    // The receiving side dies before any ack can come back.
    for (let i = 0; i < 3; i++) outbound.sendStanza(message(i))
    inbound.close('system-shutdown')
    await outbound.closed
    expect(outbound.unacknowledged.map((s) => s.attrs.id)).toEqual(['m0', 'm1', 'm2'])
    await pair.close()
  })

  it('closes the stream when the peer acknowledges more than was sent', () => {
    const writes: Element[] = []
    const sm = new StreamManagement(
      { requestEvery: 1, requestAfterMs: 10 },
      (el) => writes.push(el),
      () => {},
    )
    sm.enable()
    sm.sent(message(1))
    expect(writes.map((w) => w.name)).toEqual(['r'])
    expect(() => sm.onElement(new Element('a', { h: '5' }))).toThrow(/acknowledged 5 stanzas, only 1/)
    expect(() => sm.onElement(new Element('a', { h: 'x' }))).toThrow(/invalid stream management h/)
    sm.stop()
  })

  it('answers <r/> with the count of stanzas handled, modulo 2^32', () => {
    const sm = new StreamManagement(
      { requestEvery: 5, requestAfterMs: 10 },
      () => {},
      () => {},
    )
    sm.enable()
    sm.handled = 2 ** 32 - 1
    sm.received()
    expect(sm.onElement(new Element('r'))?.attrs.h).toBe('0')
  })
})

describe('XEP-0198 timers on a closing stream', () => {
  it('never writes (or throws) after close() began, even with an ack request pending', async () => {
    const pki = await createPki()
    const pair = await connectedPair(pki, { client: { timeouts: { closeMs: 500 } } })
    const outbound = await pair.outbound
    const inbound = await pair.listener.nextSession()
    // The peer stops reading: our close stays in 'closing' past the 200 ms ack-request timer.
    ;(inbound as unknown as { socket: { pause(): void } }).socket.pause()
    outbound.sendStanza(message(1))
    const closing = outbound.close()
    await new Promise((r) => setTimeout(r, 300))
    await closing
    expect(outbound.phase).toBe('closed')
    await pair.close()
  })
})
