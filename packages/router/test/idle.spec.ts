import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Federation, type SessionEvent, xml } from '../src/index.js'
import { configFor, createTestPki, nextStanza, startFederation } from './fixtures.js'

const C = { host: '127.0.0.17', port: 15269 }
const D = { host: '127.0.0.18', port: 15269 }
let c: Federation
let d: Federation

beforeAll(async () => {
  const pki = await createTestPki()
  const timeouts = { idleMs: 300 }
  c = await startFederation({
    config: await configFor(pki, 'c.test', { listen: [C], routes: { 'd.test': [D] }, timeouts }),
  })
  d = await startFederation({
    config: await configFor(pki, 'd.test', { listen: [D], routes: { 'c.test': [C] }, timeouts }),
  })
})
afterAll(async () => {
  await c?.stop()
  await d?.stop()
})

it('closes streams that carry no stanza for idleMs, and reopens on the next send', async () => {
  const events: string[] = []
  c.on('session', (e: SessionEvent) => events.push(`${e.direction} ${e.state}`))
  const first = nextStanza(d, (s) => s.attrs.id === 'i1')
  await c.send(xml('message', { from: 'a@c.test', to: 'b@d.test', id: 'i1' }))
  await first
  const outbound = () => c.status().domains.find((s) => s.remote === 'd.test' && s.direction === 'outbound')
  await expect.poll(() => outbound()?.state, { timeout: 3000 }).toBe('idle')
  expect(d.status().domains.filter((s) => s.direction === 'inbound')).toEqual([])
  expect(events).toContain('outbound closed')

  const second = nextStanza(d, (s) => s.attrs.id === 'i2')
  await c.send(xml('message', { from: 'a@c.test', to: 'b@d.test', id: 'i2' }))
  await second
  expect(events.filter((e) => e === 'outbound established')).toHaveLength(2)
})
