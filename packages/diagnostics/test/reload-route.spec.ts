import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ReconfigureError, type ReconfigureReport } from '@xmpp-federation/router'
import { afterEach, describe, expect, it } from 'vitest'
import { createStatusHandler, type ReloadFunction } from '../src/index.js'
import { federationStatus } from './status-fixtures.js'

// POST <base>/reload of the status handler, behind a real HTTP server on our loopback address.
const HOST = '127.0.0.207'
const TOKEN = 'reload-route-token'
const federation = { status: () => federationStatus([]) }
const REPORT: ReconfigureReport = {
  changed: [{ path: 'policy.deny', before: [], after: ['x.test'] }],
  closed: [
    {
      direction: 'outbound',
      local: 'c.test',
      remote: 'x.test',
      condition: 'policy-violation',
      reason: 'denied',
    },
  ],
  bounced: 2,
  unchanged: false,
  notes: [],
}

let server: Server | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

async function serve(reload: ReloadFunction): Promise<string> {
  server = createServer(createStatusHandler({ federation, token: TOKEN, reload, basePath: '/diag' }))
  await new Promise<void>((resolve) => server!.listen(0, HOST, resolve))
  return `http://${HOST}:${(server.address() as AddressInfo).port}/diag/reload`
}

const auth = { authorization: `Bearer ${TOKEN}` }

describe('status handler: POST <base>/reload', () => {
  it('refuses to be built with reload and no token', () => {
    expect(() => createStatusHandler({ federation, reload: async () => REPORT })).toThrow(TypeError)
  })

  it('answers the report to an authorised POST, once per request', async () => {
    let calls = 0
    const url = await serve(async () => {
      calls++
      return REPORT
    })
    const res = await fetch(url, { method: 'POST', headers: auth, body: '{"ignored":true}' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(REPORT)
    expect(calls).toBe(1)
  })

  it('401 without the token, 405 for GET; neither reloads', async () => {
    let calls = 0
    const url = await serve(async () => {
      calls++
      return REPORT
    })
    const anonymous = await fetch(url, { method: 'POST' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/Bearer/)
    const wrong = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    const get = await fetch(url, { headers: auth })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect(calls).toBe(0)
  })

  it('a refused configuration is 422 with every issue; another failure is 500', async () => {
    const refused = new ReconfigureError([
      { code: 'MISSING_FILE', path: 'tls.cert', message: '/x.crt does not exist' },
      { code: 'UNKNOWN_KEY', path: 'colour', message: 'is not a setting' },
    ])
    const url = await serve(async () => {
      throw refused
    })
    const res = await fetch(url, { method: 'POST', headers: auth })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { error: { condition: string; issues: unknown[] } }
    expect(body.error.condition).toBe('bad-request')
    expect(body.error.issues).toHaveLength(2)

    await new Promise<void>((resolve) => server!.close(() => resolve()))
    const broken = await serve(async () => {
      throw new Error('disk on fire')
    })
    const failed = await fetch(broken, { method: 'POST', headers: auth })
    expect(failed.status).toBe(500)
    expect(JSON.stringify(await failed.json())).toMatch(/disk on fire/)
  })
})
