import type { Duplex } from 'node:stream'
import type { InboundSession } from '@xmpp-federation/stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Federation, xml } from '../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from './fixtures.js'

// XEP-0198 through the router: what a broken link leaves unacknowledged is sent again.
const C = { host: '127.0.0.15', port: 15269 }
const D = { host: '127.0.0.16', port: 15269 }

describe('resending unacknowledged stanzas', () => {
  let pki: TestPki
  let c: Federation
  let d: Federation
  const inboundAtD: InboundSession[] = []

  beforeAll(async () => {
    pki = await createTestPki()
    c = await startFederation({
      config: await configFor(pki, 'c.test', { listen: [C], routes: { 'd.test': [D] } }),
    })
    d = await startFederation({
      config: await configFor(pki, 'd.test', { listen: [D], routes: { 'c.test': [C] } }),
    })
  })
  afterAll(async () => {
    await c?.stop()
    await d?.stop()
  })

  it('stanzas written to a stream that dies unacknowledged arrive over the next one, each accounted for', async () => {
    const delivered: string[] = []
    d.on('stanza', (s) => delivered.push(s.attrs.id ?? ''))
    const resent: number[] = []
    c.on('resend', (e) => resent.push(e.count))
    await c.send(xml('message', { from: 'a@c.test', to: 'b@d.test', id: 'warm' }))
    await expect.poll(() => delivered.includes('warm')).toBe(true)
    const outbound = () => c.status().domains.find((s) => s.remote === 'd.test' && s.direction === 'outbound')
    await expect.poll(() => outbound()?.unacknowledged, { timeout: 3000 }).toBe(0)

    // d stops reading: what c writes now is never handled, so never acknowledged.
    const sessions = (d as unknown as { inbound: Set<InboundSession> }).inbound
    for (const session of sessions) inboundAtD.push(session)
    const socketOf = (s: InboundSession) => (s as unknown as { socket: Duplex }).socket
    for (const session of inboundAtD) socketOf(session).pause()
    for (const id of ['r1', 'r2', 'r3'])
      await c.send(xml('message', { from: 'a@c.test', to: 'b@d.test', id }))
    expect(delivered).not.toContain('r1')
    expect(outbound()?.unacknowledged).toBe(3)
    // The link dies (a cable pulled, a peer restarted).
    for (const session of inboundAtD) socketOf(session).destroy()

    await expect
      .poll(() => delivered.filter((id) => id.startsWith('r')).sort(), { timeout: 5000 })
      .toEqual(['r1', 'r2', 'r3'])
    expect(resent).toEqual([3])
    const duplicates = delivered.length - new Set(delivered).size
    expect(duplicates).toBe(0)
  })
})
