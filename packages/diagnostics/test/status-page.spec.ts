import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Socket } from 'node:net'
import { parseConfig } from '@xmpp-federation/config'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createStatusHandler,
  type FederationStatus,
  PAGE_CSP,
  type StatusHandler,
  type StatusHandlerOptions,
} from '../src/index.js'
import { domainStatus, federationStatus } from './status-fixtures.js'

// The status page's routes behind a real HTTP server on loopback: the page and its assets, the
// token-to-cookie exchange, the event stream and the doctor action.

const HOST = '127.0.0.210'
const TOKEN = 'page-token-7f3a'
/** What the page's script adds to its POSTs (the browser adds Origin and Sec-Fetch-Site). */
const FROM_PAGE = { 'x-status-page': '1' }

/** A federation whose status the test changes, with events as Federation has them. */
class FakeFederation extends EventEmitter {
  current: FederationStatus = federationStatus([domainStatus()])
  status() {
    return this.current
  }
}

let server: Server | undefined
let handler: StatusHandler | undefined
afterEach(async () => {
  handler?.close()
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

async function serve(options: StatusHandlerOptions): Promise<string> {
  handler = createStatusHandler(options)
  const listener = handler
  server = createServer((req: IncomingMessage, res: ServerResponse) => listener(req, res))
  await new Promise<void>((resolve) => server!.listen(0, HOST, resolve))
  return `http://${HOST}:${(server.address() as AddressInfo).port}`
}

/** Reads server-sent events until `until` holds for the snapshots seen; then closes the stream. */
async function readEvents(
  url: string,
  init: RequestInit,
  until: (snapshots: FederationStatus[], raw: string) => boolean,
): Promise<{ snapshots: FederationStatus[]; raw: string }> {
  const controller = new AbortController()
  const res = await fetch(url, { ...init, signal: controller.signal })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let raw = ''
  const snapshots: FederationStatus[] = []
  while (!until(snapshots, raw)) {
    const { value, done } = await reader.read()
    if (done) break
    raw += decoder.decode(value, { stream: true })
    snapshots.length = 0
    for (const block of raw.split('\n\n')) {
      const data = block.split('\n').find((line) => line.startsWith('data: '))
      if (block.includes('event: status') && data) snapshots.push(JSON.parse(data.slice(6)))
    }
  }
  controller.abort()
  return { snapshots, raw }
}

describe('the status page', () => {
  it('is a static page with its script and style from its own routes, under a strict CSP', async () => {
    const url = await serve({ federation: new FakeFederation(), basePath: '/diag' })
    const page = await fetch(`${url}/diag/ui`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(PAGE_CSP)
    expect(PAGE_CSP).toContain("default-src 'none'")
    expect(PAGE_CSP).toContain("frame-ancestors 'none'")
    expect(PAGE_CSP).not.toContain('unsafe')
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await page.text()
    // No inline script or style, nothing from elsewhere.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="ui/page.js" defer>'])
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|https?:\/\//)
    expect(html).toContain('aria-live="polite"')
    for (const [path, type] of [
      ['ui/page.js', 'text/javascript; charset=utf-8'],
      ['ui/page.css', 'text/css; charset=utf-8'],
    ]) {
      const asset = await fetch(`${url}/diag/${path}`)
      expect(asset.status).toBe(200)
      expect(asset.headers.get('content-type')).toBe(type)
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff')
    }
    // The script writes peer strings as text, never as HTML.
    const script = await (await fetch(`${url}/diag/ui/page.js`)).text()
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/)
  })

  it('can be left out, for a second mount of the same federation', async () => {
    const url = await serve({ federation: new FakeFederation(), statusPage: false })
    expect((await fetch(`${url}/ui`)).status).toBe(404)
    expect((await fetch(`${url}/status`)).status).toBe(200)
  })

  describe('with a token', () => {
    const options = () => ({ federation: new FakeFederation(), token: TOKEN, basePath: '/diag' })

    it('answers 401 without it, and trades ?token= once for a cookie scoped to the mount', async () => {
      const url = await serve(options())
      expect((await fetch(`${url}/diag/ui`)).status).toBe(401)
      expect((await fetch(`${url}/diag/ui?token=wrong`, { redirect: 'manual' })).status).toBe(401)
      expect((await fetch(`${url}/diag/ui/events`)).status).toBe(401)

      const exchange = await fetch(`${url}/diag/ui?token=${TOKEN}`, { redirect: 'manual' })
      expect(exchange.status).toBe(303)
      expect(exchange.headers.get('location')).toBe('/diag/ui')
      const setCookie = exchange.headers.get('set-cookie')!
      expect(setCookie).toMatch(/; Path=\/diag\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/)
      expect(setCookie).not.toContain(TOKEN)
      const cookie = setCookie.split(';')[0]!

      expect((await fetch(`${url}/diag/ui`, { headers: { cookie } })).status).toBe(200)
      const { snapshots } = await readEvents(
        `${url}/diag/ui/events`,
        { headers: { cookie } },
        (s) => s.length > 0,
      )
      expect(snapshots[0]!.domains[0]!.remote).toBe('a.test')
      // The cookie opens the page only: the JSON status and the metrics still want the Bearer token.
      expect((await fetch(`${url}/diag/status`, { headers: { cookie } })).status).toBe(401)
      expect((await fetch(`${url}/diag/ui`, { headers: { cookie: `${cookie}x` } })).status).toBe(401)
      expect((await fetch(`${url}/diag/ui`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
        200,
      )
    })

    it('takes a doctor POST with the cookie only from the page itself', async () => {
      const url = await serve(options())
      const exchange = await fetch(`${url}/diag/ui?token=${TOKEN}`, { redirect: 'manual' })
      const cookie = exchange.headers.get('set-cookie')!.split(';')[0]!
      const post = (headers: Record<string, string>) =>
        fetch(`${url}/diag/ui/doctor?domain=unknown.test`, {
          method: 'POST',
          headers: { cookie, ...headers },
        })
      // A cross-site form or fetch cannot add the custom header, and the browser says where it comes from.
      expect((await post({})).status).toBe(403)
      expect((await post({ 'x-status-page': '1', 'sec-fetch-site': 'cross-site' })).status).toBe(403)
      expect((await post({ 'x-status-page': '1', origin: 'http://evil.test' })).status).toBe(403)
      expect((await post({ 'x-status-page': '1', cookie: '' })).status).toBe(401)
      // A script with the token needs none of it.
      const scripted = await fetch(`${url}/diag/ui/doctor?domain=unknown.test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      expect(scripted.status).toBe(404)
      // From the page: past access control, on to the doctor (which knows no unknown.test).
      const own = await post({ 'x-status-page': '1', 'sec-fetch-site': 'same-origin', origin: url })
      expect(own.status).toBe(404)
      expect(
        (await fetch(`${url}/diag/ui/doctor?domain=a.test`, { method: 'GET', headers: { cookie } })).status,
      ).toBe(405)
    })
  })

  describe('event stream', () => {
    it('pushes a snapshot on a federation event, peer strings as JSON on one data line', async () => {
      const federation = new FakeFederation()
      const url = await serve({ federation })
      const evil = '<script>alert(1)</script>\nevent: status\ndata: {}'
      const reading = readEvents(`${url}/ui/events`, {}, (snapshots) => snapshots.length >= 2)
      await until(() => federation.listenerCount('session') === 1)
      federation.current = federationStatus([
        domainStatus({
          state: 'backing-off',
          lastError: { condition: 'remote-connection-failed', message: evil, at: new Date(0).toISOString() },
        }),
      ])
      federation.emit('session')
      const { snapshots, raw } = await reading
      expect(snapshots.map((s) => s.domains[0]!.state)).toEqual(['established', 'backing-off'])
      expect(snapshots[1]!.domains[0]!.lastError!.message).toBe(evil)
      expect(raw).toContain('retry: 3000')
      // The client went away: the stream lets go of the federation.
      await until(() => federation.listenerCount('session') === 0 && federation.listenerCount('bounce') === 0)
    })

    it('polls a source without events, pushing only what changed', async () => {
      const federation = new FakeFederation()
      const source = { status: () => federation.status() }
      const url = await serve({ federation: source })
      const reading = readEvents(`${url}/ui/events`, {}, (snapshots) => snapshots.length >= 2)
      await new Promise((resolve) => setTimeout(resolve, 1500)) // ticks with nothing new: nothing sent
      federation.current = federationStatus([domainStatus({ stanzasOut: 99 })])
      const { snapshots } = await reading
      expect(snapshots.map((s) => s.domains[0]!.stanzasOut)).toEqual([12, 99])
    })

    it('answers 503 beyond its clients, and takes a new one when one leaves', async () => {
      const url = await serve({ federation: new FakeFederation(), maxPageClients: 2 })
      const open = [new AbortController(), new AbortController()]
      for (const controller of open) {
        expect((await fetch(`${url}/ui/events`, { signal: controller.signal })).status).toBe(200)
      }
      const refused = await fetch(`${url}/ui/events`)
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('10')
      open[0]!.abort()
      await until(async () => {
        const res = await fetch(`${url}/ui/events`)
        await res.body?.cancel()
        return res.status === 200
      })
    })
  })

  describe('doctor action', () => {
    const config = parseConfig({
      domains: ['c.test'],
      routes: { 'closed.test': [{ host: HOST, port: 1 }], 'slow.test': [{ host: HOST, port: 2 }] },
    })
    const status = federationStatus(
      ['closed.test', 'slow.test', 'slow2.test', 'slow3.test'].map((remote) =>
        domainStatus({ remote, state: 'backing-off' }),
      ),
    )

    it('runs the doctor for a listed domain: a refused port is a failed tcp step', async () => {
      const url = await serve({ federation: { status: () => status }, config })
      const res = await fetch(`${url}/ui/doctor?domain=closed.test`, { method: 'POST', headers: FROM_PAGE })
      expect(res.status).toBe(200)
      const report = await res.json()
      expect(report).toMatchObject({ domain: 'closed.test', ok: false, targets: [`${HOST}:1`] })
      expect(report.results).toContainEqual(
        expect.objectContaining({ step: 'tcp', status: 'fail', code: 'TCP_REFUSED', target: `${HOST}:1` }),
      )
      // Not any name: only the domains the status lists.
      const post = (query: string) =>
        fetch(`${url}/ui/doctor${query}`, { method: 'POST', headers: FROM_PAGE })
      expect((await post('?domain=elsewhere.test')).status).toBe(404)
      expect((await post('')).status).toBe(400)
      // Even without a token, not from another site's page.
      expect((await fetch(`${url}/ui/doctor?domain=closed.test`, { method: 'POST' })).status).toBe(403)
    })

    it('runs once per domain at a time and a few at once, 429 beyond', async () => {
      // Connections that never complete: the runs last until the connect timeout.
      const doctor = { connect: () => new Socket(), timeouts: { connectMs: 800 } }
      const url = await serve({ federation: { status: () => status }, config, doctor })
      const post = (domain: string) =>
        fetch(`${url}/ui/doctor?domain=${domain}`, { method: 'POST', headers: FROM_PAGE })
      const answers = await Promise.all(['slow.test', 'slow.test', 'slow2.test', 'slow3.test'].map(post))
      expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 429, 429])
      expect((await post('slow.test')).status).toBe(200)
    })
  })
})

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
