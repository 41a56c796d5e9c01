import { Element } from 'ltx'
import { beforeAll, describe, expect, it } from 'vitest'
import { connectedPair, createPki, type Pki } from './fixtures.js'

const message = (i: number, body = `#${i}`) =>
  new Element('message', { from: 'bot@c.test', to: 'eve@d.test', id: `m${i}` }).c('body').t(body).root()

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

describe("the session's writable event", () => {
  let pki: Pki
  beforeAll(async () => {
    pki = await createPki()
  })

  it('is owed only to a writer that canSendStanza turned away, once per refusal', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    let writable = 0
    outbound.on('writable', () => writable++)

    // Writes that were never refused: flushed without an event (at 1000 streams, one per stanza).
    for (let i = 0; i < 10; i++) outbound.sendStanza(message(i))
    expect(outbound.canSendStanza).toBe(true)
    await turns(3)
    expect(writable).toBe(0)

    // Over half of maxBufferedBytes (1 MiB) waiting: the writer is turned away...
    const big = 'x'.repeat(300 * 1024)
    outbound.sendStanza(message(10, big))
    outbound.sendStanza(message(11, big))
    expect(outbound.canSendStanza).toBe(false)
    // ... and told once the writes reached the socket (or it drained).
    await expect.poll(() => writable, { timeout: 5000 }).toBe(1)
    await turns(3)
    expect(writable).toBe(1)
    const inbound = await pair.listener.nextSession()
    await expect.poll(() => inbound.sm?.handled, { timeout: 5000 }).toBe(12)
    await pair.close()
  })
})
