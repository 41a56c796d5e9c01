import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import {
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  saslExternal,
} from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BounceEvent, DeliveryError, type Federation, xml } from '../src/index.js'
import { configFor, createTestPki, nextStanza, startFederation, type TestPki } from './fixtures.js'

// Two federations of this library on loopback, c.test and d.test, with static routes.
const C = { host: '127.0.0.10', port: 15269 }
const D = { host: '127.0.0.11', port: 15269 }

describe('createFederation between two library instances', () => {
  let pki: TestPki
  let c: Federation
  let d: Federation

  beforeAll(async () => {
    pki = await createTestPki()
    c = await startFederation({
      config: await configFor(pki, 'c.test', {
        listen: [C],
        routes: {
          'd.test': [D],
          'refused.test': [{ host: '127.0.0.1', port: 1 }],
        },
        queue: { maxStanzas: 3, ttlMs: 5000 },
      }),
    })
    d = await startFederation({
      config: await configFor(pki, 'd.test', { listen: [D], routes: { 'c.test': [C] } }),
    })
  })
  afterAll(async () => {
    await c?.stop()
    await d?.stop()
  })

  it('delivers a message each way over streams authenticated with EXTERNAL', async () => {
    const sessions: string[] = []
    c.on('session', (e) => sessions.push(`${e.direction} ${e.state} ${e.mechanism}`))
    const atD = nextStanza(d, (s) => s.attrs.id === 'c1')
    await c.send(
      xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'c1' }, xml('body', {}, 'hi eve')),
    )
    expect((await atD).getChildText('body')).toBe('hi eve')
    const atC = nextStanza(c, (s) => s.attrs.id === 'd1')
    await d.send(
      xml('message', { from: 'eve@d.test', to: 'bot@c.test', id: 'd1' }, xml('body', {}, 'hi bot')),
    )
    expect((await atC).attrs.from).toBe('eve@d.test')
    expect(sessions).toContain('outbound established EXTERNAL')
    const status = c.status().domains.find((s) => s.remote === 'd.test' && s.direction === 'outbound')!
    expect(status).toMatchObject({ state: 'established', authMechanism: 'EXTERNAL', tlsVersion: 'TLSv1.3' })
    expect(status.stanzasOut).toBeGreaterThanOrEqual(1)
  })

  it('answers XEP-0199 ping for the domain and measures the round trip', async () => {
    const rtt = await c.ping('c.test', 'd.test')
    expect(rtt).toBeGreaterThan(0)
    expect(rtt).toBeLessThan(5000)
  })

  it('bounces an iq nobody handles with service-unavailable', async () => {
    const iq = xml(
      'iq',
      { from: 'c.test', to: 'd.test', type: 'get', id: 'q1' },
      xml('query', { xmlns: 'urn:example:nothing' }),
    )
    const answer = await c.request(iq)
    expect(answer.attrs.type).toBe('error')
    expect(answer.getChild('error')?.getChild('service-unavailable')).toBeDefined()
  })

  it('bounces to a refused port with remote-server-not-found: one bounce event, carrying the error for the sender', async () => {
    const bounces: BounceEvent[] = []
    const stanzas: Element[] = []
    c.on('bounce', (b) => bounces.push(b))
    c.on('stanza', (s) => stanzas.push(s))
    const sent = c.send(
      xml('message', { from: 'bot@c.test', to: 'x@refused.test', id: 'r1' }, xml('body', {}, 'x')),
    )
    await expect(sent).rejects.toMatchObject({ name: 'DeliveryError', condition: 'remote-server-not-found' })
    expect(bounces).toHaveLength(1)
    expect(bounces[0]).toMatchObject({ condition: 'remote-server-not-found', direction: 'outbound' })
    const error = bounces[0]!.returned!
    expect(error.attrs).toMatchObject({ from: 'x@refused.test', to: 'bot@c.test', type: 'error' })
    expect(error.getChild('error')?.getChild('remote-server-not-found')).toBeDefined()
    // Delivered once: the bounce is not also a `stanza` event.
    await new Promise((r) => setTimeout(r, 100))
    expect(stanzas.filter((s) => s.attrs.id === 'r1')).toEqual([])
  })

  it('never answers an error stanza with another error', async () => {
    const bounces: BounceEvent[] = []
    c.on('bounce', (b) => bounces.push(b))
    const sent = c.send(xml('message', { from: 'bot@c.test', to: 'x@refused.test', type: 'error', id: 'e1' }))
    await expect(sent).rejects.toBeInstanceOf(DeliveryError)
    await new Promise((r) => setTimeout(r, 300))
    expect(bounces.at(-1)).toMatchObject({ returned: undefined })
  })

  it('rejects a stanza from a domain it does not serve', async () => {
    await expect(c.send(xml('message', { from: 'x@d.test', to: 'eve@d.test' }))).rejects.toMatchObject({
      condition: 'not-allowed',
    })
  })

  it('closes a stream whose peer sends from a domain it did not authenticate (invalid-from)', async () => {
    const context = createStreamContext({
      localDomains: ['c.test'],
      auth: [saslExternal()],
      tls: createTlsIdentity({
        anchors: createTrustAnchors({ ca: [pki.ca.certPem] }),
        credentials: {
          '*': {
            cert: readFileSync((await pki.filesFor('c.test')).cert),
            key: readFileSync((await pki.filesFor('c.test')).key),
          },
        },
      }),
    })
    const stream = await connectStream({ context, localDomain: 'c.test', remoteDomain: 'd.test', ...D })
    const delivered: string[] = []
    d.on('stanza', (s) => delivered.push(s.attrs.id ?? ''))
    // Bypass sendStanza's own check, as a malicious peer would.
    stream.send(xml('message', { from: 'mallory@evil.test', to: 'eve@d.test', id: 'spoof' }))
    const { error } = await stream.closed
    expect(error).toMatchObject({ condition: 'invalid-from', origin: 'remote' })
    expect(delivered).not.toContain('spoof')
  })
})

describe('queue, timeouts and recovery', () => {
  let pki: TestPki
  let c: Federation
  let stall: Server
  beforeAll(async () => {
    pki = await createTestPki()
    // A peer that accepts TCP and never says a word.
    stall = createServer(() => {})
    await new Promise<void>((r) => stall.listen(15270, '127.0.0.12', r))
    c = await startFederation({
      config: await configFor(pki, 'c.test', {
        routes: {
          'stall.test': [{ host: '127.0.0.12', port: 15270 }],
          'later.test': [{ host: '127.0.0.13', port: 15269 }],
        },
        queue: { maxStanzas: 2, ttlMs: 5000 },
        timeouts: { negotiationMs: 600 },
      }),
      backoff: { initialMs: 50, maxMs: 200 },
    })
  })
  afterAll(async () => {
    await c?.stop()
    stall?.close()
  })

  it('bounces with remote-server-timeout when the peer stalls, and resource-constraint when the queue is full', async () => {
    const started = Date.now()
    const first = c.send(xml('message', { from: 'a@c.test', to: 'x@stall.test', id: 's1' }))
    const second = c.send(xml('message', { from: 'a@c.test', to: 'x@stall.test', id: 's2' }))
    const third = c.send(xml('message', { from: 'a@c.test', to: 'x@stall.test', id: 's3' }))
    await expect(third).rejects.toMatchObject({ condition: 'resource-constraint' })
    await expect(first).rejects.toMatchObject({ condition: 'remote-server-timeout' })
    await expect(second).rejects.toMatchObject({ condition: 'remote-server-timeout' })
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('a domain that comes back is reached by the next send', async () => {
    await expect(
      c.send(xml('message', { from: 'a@c.test', to: 'x@later.test', id: 'l1' })),
    ).rejects.toMatchObject({
      condition: 'remote-server-not-found',
    })
    const later = await startFederation({
      config: await configFor(pki, 'later.test', { listen: [{ host: '127.0.0.13', port: 15269 }] }),
    })
    const received = nextStanza(later, (s) => s.attrs.id === 'l2')
    await c.send(xml('message', { from: 'a@c.test', to: 'x@later.test', id: 'l2' }))
    expect((await received).attrs.id).toBe('l2')
    await later.stop()
  })
})
