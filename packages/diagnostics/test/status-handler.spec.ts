import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fingerprint, parseConfig, secretFingerprint } from '@xmpp-federation/config'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createStatusHandler,
  type FederationStatus,
  PROMETHEUS_CONTENT_TYPE,
  type StatusHandler,
  type StatusHandlerOptions,
} from '../src/index.js'
import { domainStatus, federationStatus } from './status-fixtures.js'

// The handler behind a real HTTP server on loopback, as a host would mount it.

const STATUS: FederationStatus = {
  ...federationStatus([domainStatus(), domainStatus({ direction: 'inbound', stanzasIn: 4, stanzasOut: 0 })]),
  totals: [{ remote: 'a.test', stanzasIn: 40, stanzasOut: 120 }],
}
const federation = { status: () => STATUS }

// Exposition format 0.0.4: comments, or a name, optional labels and a value.
const COMMENT = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/

let server: Server | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

/** Serves `listener` on 127.0.0.1, any free port; resolves with its base URL. */
async function serve(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(listener)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const serveHandler = (options: Partial<StatusHandlerOptions> = {}) =>
  serve(createStatusHandler({ federation, ...options }))

describe('createStatusHandler', () => {
  it('GET /status answers the federation status as JSON, with the config fingerprint and masked settings', async () => {
    const config = parseConfig({ domains: ['c.test'], dialback: { secret: 'not-for-your-eyes-only' } })
    const url = await serveHandler({ config })
    const res = await fetch(`${url}/status`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const text = await res.text()
    const document = JSON.parse(text)
    expect(document).toEqual({
      ...STATUS,
      configFingerprint: fingerprint(config),
      settings: expect.objectContaining({ domains: ['c.test'], 'security.tls': 'required' }),
      node: { name: null, cluster: 'default', enabled: true },
    })
    expect(document.settings['dialback.secret']).toMatch(/^sha256:[0-9a-f]{12}…$/)
    expect(text).not.toContain('not-for-your-eyes-only')
    // Nor the full sha256 of it, which a short secret could be guessed back from.
    expect(text).not.toContain(secretFingerprint('not-for-your-eyes-only'))
  })

  it('reads a configuration given as a function at every request, so that a reload shows', async () => {
    let config = parseConfig({ domains: ['c.test'], dialback: { secret: 'first-secret-of-the-node' } })
    const url = await serveHandler({ config: () => config })
    const before = await (await fetch(`${url}/status`)).json()
    expect(before.configFingerprint).toBe(fingerprint(config))
    config = parseConfig({
      domains: ['c.test'],
      policy: { deny: ['evil.test'] },
      dialback: { secret: 'first-secret-of-the-node' },
    })
    const after = await (await fetch(`${url}/status`)).json()
    expect(after.configFingerprint).toBe(fingerprint(config))
    expect(after.configFingerprint).not.toBe(before.configFingerprint)
    expect(after.settings['policy.deny']).toEqual(['evil.test'])
  })

  it('leaves the fingerprint out when the host gives no configuration', async () => {
    const url = await serveHandler()
    expect(await (await fetch(`${url}/status?pretty=1`)).json()).toEqual(STATUS)
  })

  it('GET /metrics answers Prometheus text whose counters are the running totals', async () => {
    const url = await serveHandler()
    const res = await fetch(`${url}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE)
    const text = await res.text()
    expect(text.endsWith('\n')).toBe(true)
    const lines = text.trimEnd().split('\n')
    expect(lines.filter((line) => !COMMENT.test(line) && !SAMPLE.test(line))).toEqual([])
    expect(lines).toContain('xmpp_federation_stanzas_received_total{remote="a.test"} 40')
    expect(lines).toContain('xmpp_federation_stanzas_sent_total{remote="a.test"} 120')
    expect(lines).toContain('# TYPE xmpp_federation_stanzas_sent_total counter')
  })

  it('with a token, answers 401 and a Bearer challenge unless the request carries it', async () => {
    const url = await serveHandler({ token: 's3cret-token' })
    for (const authorization of [undefined, 'Bearer wrong', 'Basic czNjcmV0LXRva2Vu', 'Bearer s3cret']) {
      const res = await fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="xmpp-federation"')
      expect(await res.json()).toMatchObject({ error: { condition: 'not-authorized' } })
    }
    const ok = await fetch(`${url}/status`, { headers: { authorization: 'Bearer s3cret-token' } })
    expect(ok.status).toBe(200)
  })

  it('refuses an empty token rather than protecting nothing', () => {
    expect(() => createStatusHandler({ federation, token: ' ' })).toThrow(/empty bearer token/)
  })

  it('HEAD answers the headers without a body; other methods get 405 with Allow', async () => {
    const url = await serveHandler()
    const head = await fetch(`${url}/status`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0)
    expect(await head.text()).toBe('')
    const post = await fetch(`${url}/metrics`, { method: 'POST', body: '{}' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    expect(await post.json()).toMatchObject({ error: { condition: 'not-allowed' } })
  })

  it('serves under basePath and calls next() for every path it does not own', async () => {
    const handler = createStatusHandler({ federation, basePath: '/ops/federation/' })
    const next = vi.fn()
    const url = await serve((req, res) =>
      handler(req, res, (error) => {
        next(req.url, error)
        res.writeHead(418).end('the host answers')
      }),
    )
    expect((await fetch(`${url}/ops/federation/status`)).status).toBe(200)
    expect((await fetch(`${url}/ops/federation/metrics`)).status).toBe(200)
    for (const path of ['/status', '/ops/federation', '/ops/federation/statusx', '/api/messages']) {
      expect((await fetch(`${url}${path}`)).status).toBe(418)
    }
    expect(next.mock.calls).toEqual([
      ['/status', undefined],
      ['/ops/federation', undefined],
      ['/ops/federation/statusx', undefined],
      ['/api/messages', undefined],
    ])
  })

  it('without next, answers 404 for paths it does not own', async () => {
    const url = await serveHandler({ token: 'only-for-its-own-paths' })
    const res = await fetch(`${url}/elsewhere`)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ error: { condition: 'item-not-found' } })
  })

  it('hands a failing status to next(error), or answers 500 without next', async () => {
    const broken = {
      status(): FederationStatus {
        throw new Error('status broke')
      },
    }
    const handler: StatusHandler = createStatusHandler({ federation: broken })
    const errors: unknown[] = []
    // The host says per request whether it has a pipeline to pass errors to.
    const url = await serve((req, res) =>
      req.headers['x-pipeline'] === undefined
        ? handler(req, res)
        : handler(req, res, (error) => {
            errors.push(error)
            res.writeHead(503).end()
          }),
    )
    const bare = await fetch(`${url}/status`)
    expect(bare.status).toBe(500)
    expect(await bare.json()).toMatchObject({ error: { condition: 'internal-server-error' } })
    expect((await fetch(`${url}/metrics`, { headers: { 'x-pipeline': '1' } })).status).toBe(503)
    expect(errors).toEqual([new Error('status broke')])
  })
})
