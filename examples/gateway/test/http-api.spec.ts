import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FederationConfig, fingerprint, parseConfig } from '@xmpp-federation/config'
import { PROMETHEUS_CONTENT_TYPE } from '@xmpp-federation/diagnostics'
import { createTestCA, writeCertificateFiles } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GatewayClient } from '../src/api-client.js'
import { type Gateway, startGateway } from '../src/gateway.js'
import type { InboxItem } from '../src/inbox.js'
import { silentLog } from '../src/log.js'

// The HTTP API of a gateway without s2s listeners (any free HTTP port, so it
// runs beside other tests): messages between two local users never leave it.

describe('the HTTP API', () => {
  let dir: string
  let config: FederationConfig
  let gateway: Gateway
  let api: GatewayClient

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-gateway-api-'))
    const ca = await createTestCA()
    await writeFile(join(dir, 'ca.crt'), ca.certPem)
    const files = await writeCertificateFiles(dir, 'c.test', await ca.issue({ dnsNames: ['c.test'] }))
    config = parseConfig({
      domains: ['c.test'],
      tls: { cert: files.cert, key: files.key, ca: [join(dir, 'ca.crt')], systemCa: false },
    })
    gateway = await startGateway(config, { http: { host: '127.0.0.1', port: 0 }, log: silentLog })
    api = new GatewayClient(gateway.url)
  })

  afterAll(async () => {
    await gateway?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body })

  it('is healthy while running and reports the federation status', async () => {
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ status: 'ok' })
    expect(await api.status()).toEqual({
      state: 'running',
      localDomains: ['c.test'],
      domains: [],
      throttled: [],
      totals: [],
      configFingerprint: fingerprint(config),
      settings: expect.objectContaining({ domains: ['c.test'] }),
      node: { name: null, cluster: 'default', enabled: true },
    })
  })

  it('serves the diagnostics status handler at its old URLs and their siblings', async () => {
    for (const path of ['/api/status', '/status']) {
      const res = await fetch(`${api.url}${path}`)
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        200,
        'application/json; charset=utf-8',
      ])
    }
    for (const path of ['/metrics', '/api/metrics']) {
      const res = await fetch(`${api.url}${path}`)
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        200,
        PROMETHEUS_CONTENT_TYPE,
      ])
      expect(await res.text()).toContain('xmpp_federation_up 1\n')
    }
    const post = await fetch(`${api.url}/api/status`, { method: 'POST' })
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
  })

  it('delivers a message between two local users into the inbox', async () => {
    const { id } = await api.sendMessage({ from: 'bot@c.test', to: 'other@c.test', body: 'local hello' })
    const item = await api.waitFor((i) => i.kind === 'message' && i.id === id)
    expect(item).toMatchObject({ from: 'bot@c.test', to: 'other@c.test', body: 'local hello', type: 'chat' })
    expect(await api.inbox({ user: 'other@c.test' })).toContainEqual(item)
    expect(await api.inbox({ user: 'bot@c.test' })).toEqual([])
  })

  it.each([
    [
      'missing field',
      () => post('/api/messages', '{"from":"bot@c.test","to":"a@a.test"}'),
      400,
      'bad-request',
    ],
    [
      'foreign sender',
      () => post('/api/messages', '{"from":"b@d.test","to":"a@a.test","body":"x"}'),
      400,
      'bad-request',
    ],
    ['not JSON', () => post('/api/messages', 'hello'), 400, 'bad-request'],
    ['a JSON array', () => post('/api/messages', '[]'), 400, 'bad-request'],
    ['text/plain', () => post('/api/messages', '{}', 'text/plain'), 415, 'bad-request'],
    ['a huge body', () => post('/api/messages', `"${'x'.repeat(300_000)}"`), 413, 'policy-violation'],
    [
      'presence without contact',
      () => post('/api/presence', '{"from":"bot@c.test","action":"approve"}'),
      400,
      'bad-request',
    ],
    ['ping of itself', () => post('/api/ping', '{"from":"c.test","to":"c.test"}'), 400, 'bad-request'],
    ['roster without user', () => fetch(`${api.url}/api/roster`), 400, 'bad-request'],
    ['a bad since', () => fetch(`${api.url}/api/inbox?since=-1`), 400, 'bad-request'],
    ['an unknown endpoint', () => fetch(`${api.url}/api/nothing`), 404, 'item-not-found'],
    ['a wrong method', () => fetch(`${api.url}/api/messages`), 405, 'not-allowed'],
  ])('refuses %s', async (_what, request, status, condition) => {
    const res = await request()
    expect(res.status).toBe(status)
    expect(((await res.json()) as { error: { condition: string } }).error.condition).toBe(condition)
  })

  it('keeps presence state per user: GET /api/roster', async () => {
    await api.presence({ from: 'bot@c.test', action: 'available', show: 'chat', status: 'here' })
    expect(await api.roster('bot@c.test')).toEqual({
      user: 'bot@c.test',
      presence: { available: true, show: 'chat', status: 'here' },
      contacts: [],
    })
  })

  it('replays what a reconnecting event stream missed (Last-Event-ID), then streams new items', async () => {
    await api.sendMessage({ from: 'bot@c.test', to: 'other@c.test', body: 'first' })
    const first = (await api.inbox()).at(-1)!
    const abort = new AbortController()
    const res = await fetch(`${api.url}/api/events?user=other@c.test`, {
      headers: { 'last-event-id': String(first.seq - 1) },
      signal: abort.signal,
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = readData(res.body!)
    expect(await events.next()).toMatchObject({ value: { seq: first.seq, body: 'first' } })
    await api.sendMessage({ from: 'bot@c.test', to: 'other@c.test', body: 'second' })
    expect(await events.next()).toMatchObject({ value: { seq: first.seq + 1, body: 'second' } })
    abort.abort()
  })
})

async function* readData(body: ReadableStream<Uint8Array>): AsyncGenerator<InboxItem> {
  const decoder = new TextDecoder()
  let text = ''
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true })
    for (let match = /data: (.*)\n\n/.exec(text); match; match = /data: (.*)\n\n/.exec(text)) {
      text = text.slice(match.index + match[0].length)
      yield JSON.parse(match[1]!) as InboxItem
    }
  }
}
