import { Element } from 'ltx'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  DEFAULT_STREAM_MANAGEMENT,
  StreamManagement,
  type StreamManagementOptions,
  type UnackedLimits,
} from '../src/index.js'
import { connectedPair, createPki, type Pki } from './fixtures.js'

const message = (i: number) =>
  new Element('message', { from: 'bot@c.test', to: 'eve@d.test', id: `m${i}` }).c('body').t(`#${i}`).root()

/** A serialized message of exactly `size` characters, as the session hands it to stream management. */
function written(i: number, size: number): string {
  const open = `<message from="bot@c.test" to="eve@d.test" id="m${i}"><body>`
  const close = '</body></message>'
  const padding = size - open.length - close.length
  if (padding < 0) throw new Error(`a message is at least ${open.length + close.length} characters`)
  return open + '#'.repeat(padding) + close
}

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
    let counted = 0
    outbound.on('acked', (count) => {
      counted += count
    })
    for (let i = 0; i < 45; i++) {
      outbound.sendStanza(message(i), { receipt: { acked: () => acked.push(`m${i}`) } })
    }
    await expect.poll(() => acked.length, { timeout: 3000 }).toBe(45)
    expect(acked).toEqual(Array.from({ length: 45 }, (_, i) => `m${i}`))
    expect(counted).toBe(45)
    expect(outbound.unacknowledged).toEqual([])
    expect(outbound.unacknowledgedCount).toBe(0)
    const inbound = await pair.listener.nextSession()
    expect(inbound.sm?.handled).toBe(45)
    await pair.close()
  })

  it('sends <enable/> and the first stanzas in one write, counted from the enable', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    // Right after authentication, in the same event-loop turn: the enable has not left yet.
    const socket = (outbound as unknown as { socket: { write(data: string): boolean } }).socket
    const writes: string[] = []
    const write = socket.write.bind(socket)
    socket.write = (data: string) => {
      writes.push(String(data))
      return write(data)
    }
    const acked: string[] = []
    for (const i of [0, 1]) outbound.sendStanza(message(i), { receipt: { acked: () => acked.push(`m${i}`) } })
    await expect.poll(() => writes.length).toBeGreaterThan(0)
    expect(writes[0]).toMatch(/^<enable [^>]*\/>.*<message .*id="m0".*<message .*id="m1"/s)
    await expect.poll(() => acked, { timeout: 3000 }).toEqual(['m0', 'm1'])
    const inbound = await pair.listener.nextSession()
    expect(inbound.sm?.handled).toBe(2)
    await pair.close()
  })

  it('keeps what a dead stream never acknowledged', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    const inbound = await pair.listener.nextSession()
    // The receiving side dies before any ack can come back. What comes back is parsed from
    // the text written, part of one turn's output or on its own: it must equal what was sent.
    const receipt = { acked: () => {} }
    const tricky = new Element('message', {
      from: 'bot@c.test',
      to: 'eve@d.test',
      id: 'm3',
      'xml:lang': 'fr',
    })
      .c('body')
      .t('<&> "quoted" \'apos\' é 😀 ]]>')
      .up()
      .c('x', { xmlns: 'urn:example', a: 'tab\tnewline\n' })
      .root()
    for (let i = 0; i < 3; i++) outbound.sendStanza(message(i), { expiresAt: 1000 + i })
    outbound.sendStanza(tricky, { receipt })
    await new Promise((resolve) => setImmediate(resolve))
    // A second turn: its stanzas live in another turn's output.
    outbound.sendStanza(message(4))
    inbound.close('system-shutdown')
    await outbound.closed
    const left = outbound.unacknowledged
    expect(left.map((u) => u.stanza.attrs.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
    expect(left.map((u) => u.stanza.toString())).toEqual(
      [message(0), message(1), message(2), tricky, message(4)].map((el) => el.toString()),
    )
    expect(left.map((u) => u.expiresAt)).toEqual([1000, 1001, 1002, undefined, undefined])
    expect(left.map((u) => u.receipt)).toEqual([undefined, undefined, undefined, receipt, undefined])
    expect(outbound.unacknowledgedCount).toBe(5)
    await pair.close()
  })

  it('closes the stream when the peer acknowledges more than was sent', () => {
    const { sm, writes } = managed({ requestEvery: 1 })
    sm.enable()
    sm.sent(written(1, 100), -1)
    expect(writes.map((w) => w.name)).toEqual(['r'])
    expect(() => sm.onElement(new Element('a', { h: '5' }))).toThrow(/acknowledged 5 stanzas, only 1/)
    sm.stop()
  })

  // XEP-0198 §12: h is an xs:unsignedInt; Number() would take '', '0x1', '1e0', ' 1'.
  it.each(['', 'x', '0x1', '1e0', ' 1', '1.0', '-0', '+1', '4294967296', '99999999999'])(
    'refuses h=%j',
    (h) => {
      const { sm } = managed({ requestEvery: 1 })
      sm.enable()
      sm.sent(written(1, 100), -1)
      expect(() => sm.onElement(new Element('a', { h }))).toThrow(/invalid stream management h/)
      sm.stop()
    },
  )

  it('accepts h=0 to 4294967295 written in decimal digits', () => {
    const { sm } = managed({ requestEvery: 1 })
    sm.enable()
    sm.sent(written(1, 100), -1)
    expect(sm.onElement(new Element('a', { h: '1' }))).toBeUndefined()
    expect(sm.unacknowledged).toEqual([])
    sm.stop()
  })

  it('answers h modulo 2^32', () => {
    const { sm } = managed({ requestEvery: 5 })
    sm.enable()
    sm.handled = 2 ** 32 - 1
    sm.received()
    expect(sm.onElement(new Element('r'))?.attrs.h).toBe('0')
  })

  it('a window: full at the count or size limit, and a stanza written past it fails the stream', () => {
    const byCount = managed({ requestEvery: 1000 }, { maxUnackedStanzas: 3, maxUnackedBytes: 100_000 })
    byCount.sm.enable()
    for (let i = 0; i < 3; i++) byCount.sm.sent(written(i, 100), -1)
    expect(byCount.failures).toEqual([])
    expect(byCount.sm.windowFull).toBe(true)
    byCount.sm.sent(written(3, 100), -1)
    expect(byCount.failures).toEqual(['resource-constraint'])
    byCount.sm.stop()

    const bySize = managed({ requestEvery: 1000 }, { maxUnackedStanzas: 1000, maxUnackedBytes: 2500 })
    bySize.sm.enable()
    bySize.sm.sent(written(0, 2000), -1)
    expect(bySize.sm.windowFull).toBe(false)
    // One stanza may cross the byte limit; it fills the window.
    bySize.sm.sent(written(1, 1000), -1)
    expect(bySize.failures).toEqual([])
    expect(bySize.sm.windowFull).toBe(true)
    bySize.sm.sent(written(2, 100), -1)
    expect(bySize.failures).toEqual(['resource-constraint'])
    bySize.sm.stop()
  })

  it('counts acknowledged stanzas out of the size it holds', () => {
    const { sm, failures } = managed(
      { requestEvery: 1000 },
      { maxUnackedStanzas: 1000, maxUnackedBytes: 2500 },
    )
    sm.enable()
    sm.sent(written(0, 2000), -1)
    expect(sm.unacknowledgedBytes).toBe(2000)
    sm.onElement(new Element('a', { h: '1' }))
    expect(sm.unacknowledgedBytes).toBe(0)
    sm.sent(written(1, 2000), -1)
    expect(failures).toEqual([])
    sm.stop()
  })

  it('fails the stream with connection-timeout when an ack request stays unanswered', async () => {
    const { sm, writes, failures } = managed({ requestEvery: 1, ackTimeoutMs: 50 })
    sm.enable()
    sm.sent(written(1, 100), -1)
    expect(writes.map((w) => w.name)).toEqual(['r'])
    await new Promise((r) => setTimeout(r, 120))
    expect(failures).toEqual(['connection-timeout'])
    sm.stop()
  })

  it('an answered ack request cancels the timeout', async () => {
    const { sm, failures } = managed({ requestEvery: 1, ackTimeoutMs: 50 })
    sm.enable()
    sm.sent(written(1, 100), -1)
    sm.onElement(new Element('a', { h: '1' }))
    await new Promise((r) => setTimeout(r, 120))
    expect(failures).toEqual([])
    sm.stop()
  })
})

/** A StreamManagement with its writes and failures recorded. */
describe('XEP-0198 ack requests by time', () => {
  afterEach(() => {
    vi.useRealTimers()
  })
  const names = (writes: Element[]) => writes.map((w) => w.name)

  it('a quiet stream asks alone, requestAfterMs after its first unacknowledged stanza', () => {
    vi.useFakeTimers()
    const { sm, writes } = managed({ requestEvery: 20, requestAfterMs: 200 })
    sm.enable()
    sm.sent(written(0, 100), -1)
    vi.advanceTimersByTime(199)
    expect(names(writes)).toEqual([])
    vi.advanceTimersByTime(1)
    expect(names(writes)).toEqual(['r'])
    sm.stop()
  })

  it('a stream still sending asks with its next stanza, in the same turn as that stanza', () => {
    vi.useFakeTimers()
    const { sm, writes } = managed({ requestEvery: 20, requestAfterMs: 200 })
    sm.enable()
    sm.sent(written(0, 100), -1)
    vi.advanceTimersByTime(100)
    sm.sent(written(1, 100), -1)
    vi.advanceTimersByTime(150)
    expect(names(writes)).toEqual([])
    sm.sent(written(2, 100), -1)
    expect(names(writes)).toEqual(['r'])
    // Answered: the next request waits for new stanzas again.
    sm.onElement(new Element('a', { h: '3' }))
    vi.advanceTimersByTime(1000)
    expect(names(writes)).toEqual(['r'])
    sm.stop()
  })

  it('a stream that stops sending after the delay passed still asks, requestAfterMs later', () => {
    vi.useFakeTimers()
    const { sm, writes } = managed({ requestEvery: 20, requestAfterMs: 200 })
    sm.enable()
    sm.sent(written(0, 100), -1)
    sm.sent(written(1, 100), -1)
    vi.advanceTimersByTime(399)
    expect(names(writes)).toEqual([])
    vi.advanceTimersByTime(1)
    expect(names(writes)).toEqual(['r'])
    sm.stop()
  })

  it('stanzas sent while a request is unanswered are asked for once the answer comes', () => {
    vi.useFakeTimers()
    const { sm, writes } = managed({ requestEvery: 2, requestAfterMs: 200 })
    sm.enable()
    sm.sent(written(0, 100), -1)
    sm.sent(written(1, 100), -1)
    expect(names(writes)).toEqual(['r'])
    sm.sent(written(2, 100), -1)
    vi.advanceTimersByTime(1000)
    expect(names(writes)).toEqual(['r'])
    sm.onElement(new Element('a', { h: '2' }))
    expect(sm.unacknowledged.map((u) => u.stanza.attrs.id)).toEqual(['m2'])
    vi.advanceTimersByTime(200)
    expect(names(writes)).toEqual(['r', 'r'])
    sm.stop()
  })
})

function managed(options: Partial<StreamManagementOptions>, limits?: UnackedLimits) {
  const writes: Element[] = []
  const failures: string[] = []
  const sm = new StreamManagement(
    { ...DEFAULT_STREAM_MANAGEMENT, ...options },
    limits ?? { maxUnackedStanzas: 1000, maxUnackedBytes: 1 << 20 },
    (el) => writes.push(el),
    () => {},
    (error) => failures.push(error.condition),
  )
  return { sm, writes, failures }
}

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
