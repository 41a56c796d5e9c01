import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assessStatus, fetchStatus, StatusFetchError, statusUrl } from '../src/index.js'
import { domainStatus, federationStatus } from './status-fixtures.js'

const NOW = new Date('2030-01-01T00:00:00Z')

describe('assessStatus', () => {
  const assess = (...domains: Parameters<typeof domainStatus>[0][]) =>
    assessStatus(federationStatus(domains.map((d) => domainStatus(d))), { now: NOW })

  it('established streams with a valid, trusted certificate are fine', () => {
    const result = assess({})
    expect(result.ok).toBe(true)
    expect(result.domains[0]).toMatchObject({ status: 'pass', findings: [{ code: 'ESTABLISHED' }] })
  })

  it('backing off is a failure; a retry after an error a warning', () => {
    const result = assess(
      {
        state: 'backing-off',
        lastError: { condition: 'remote-server-timeout', message: 'x', at: '2030-01-01T00:00:00Z' },
      },
      { remote: 'b.test', state: 'connecting', lastError: { condition: 'c', message: 'y', at: '' } },
    )
    expect(result.ok).toBe(false)
    expect(result.domains.map((d) => [d.status, d.findings[0]!.code])).toEqual([
      ['fail', 'BACKING_OFF'],
      ['warn', 'LAST_ERROR'],
    ])
  })

  it('peer certificates: untrusted and expiring are warnings, expired a failure', () => {
    const result = assess(
      { peerCertificate: { subject: 'CN=a', validTo: 'Jan 20 00:00:00 2030 GMT', trusted: false } },
      { peerCertificate: { subject: 'CN=a', validTo: 'Dec 20 00:00:00 2029 GMT', trusted: true } },
    )
    expect(result.domains[0]!.findings.map((f) => f.code)).toEqual([
      'ESTABLISHED',
      'PEER_CERT_UNTRUSTED',
      'PEER_CERT_EXPIRING',
    ])
    expect(result.domains[1]).toMatchObject({ status: 'fail' })
  })

  it('a federation that is not running fails whatever its streams', () => {
    const result = assessStatus(federationStatus([], 'stopped'), { now: NOW })
    expect(result).toMatchObject({ ok: false, federation: { status: 'fail', code: 'NOT_RUNNING' } })
  })

  it('reads the cluster rules: a federating node alive, this node in step, the nodes agreeing', () => {
    const node = (nodeId: string, enabled: boolean, fingerprint = 'f1', alive = true) => ({
      nodeId,
      enabled,
      fingerprint,
      configVersion: 1,
      alive,
      lastSeenMs: 100,
    })
    const cluster = (nodes: ReturnType<typeof node>[], extra = {}) => ({
      ...federationStatus([]),
      cluster: { nodeId: 'n1', fingerprint: 'f1', configVersion: 1, nodes, leases: [], outbox: [], ...extra },
    })
    expect(assessStatus(cluster([node('n1', true), node('n2', false)])).cluster).toEqual([])
    const none = assessStatus(cluster([node('n1', false), node('n2', true, 'f1', false)]))
    expect(none.ok).toBe(false)
    expect(none.cluster.map((finding) => finding.code)).toEqual(['NO_FEDERATION_NODE'])
    const refused = assessStatus(
      cluster([node('n1', false), node('n2', true, 'f2')], {
        configRefused: { version: 2, reason: 'no cert' },
      }),
    )
    expect(refused.cluster.map((finding) => [finding.status, finding.code])).toEqual([
      ['fail', 'CLUSTER_CONFIG_REFUSED'],
      ['warn', 'NODE_CONFIG_DIFFERS'],
    ])
    expect(refused.cluster[1]!.message).toContain('n2')
  })
})

describe('fetchStatus', () => {
  let server: Server
  let base: string
  let answer: { status: number; body: string } = { status: 200, body: '{}' }

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/guarded/status') {
        const allowed = request.headers.authorization === 'Bearer t0ken'
        response.writeHead(allowed ? 200 : 401, { 'content-type': 'application/json' })
        response.end(allowed ? answer.body : '{}')
        return
      }
      if (request.url !== '/api/status') {
        response.writeHead(404).end()
        return
      }
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it("keeps a status URL, appends /status to a mount base, and reads a bare host as a gateway's", () => {
    expect(statusUrl('http://h:8080').href).toBe('http://h:8080/api/status')
    expect(statusUrl('http://h:8080/').href).toBe('http://h:8080/api/status')
    expect(statusUrl('http://h:8080/api/status').href).toBe('http://h:8080/api/status')
    expect(statusUrl('http://h:8080/ops/federation/status/?x=1').href).toBe(
      'http://h:8080/ops/federation/status?x=1',
    )
    expect(statusUrl('http://h:8080/ops/federation/').href).toBe('http://h:8080/ops/federation/status')
    expect(statusUrl('http://h:8080/ops/metrics').href).toBe('http://h:8080/ops/status')
    expect(() => statusUrl('ftp://h')).toThrow(StatusFetchError)
    expect(() => statusUrl('not a url')).toThrow(/http:\/\/host:port/)
  })

  it('reads the FederationStatus JSON', async () => {
    const status = federationStatus([domainStatus()])
    answer = { status: 200, body: JSON.stringify(status) }
    expect(await fetchStatus(base)).toEqual(status)
  })

  it('sends the bearer token, and says when one is missing or refused', async () => {
    const status = federationStatus([])
    answer = { status: 200, body: JSON.stringify(status) }
    expect(await fetchStatus(`${base}/guarded`, { token: 't0ken' })).toEqual(status)
    await expect(fetchStatus(`${base}/guarded`)).rejects.toThrow(
      /answered 401 Unauthorized: it needs a token$/,
    )
    await expect(fetchStatus(`${base}/guarded/status`, { token: 'nope' })).rejects.toThrow(
      /: the token was refused$/,
    )
  })

  it('says what went wrong: HTTP errors, non-JSON, another shape, nobody listening', async () => {
    answer = { status: 503, body: '' }
    await expect(fetchStatus(base)).rejects.toThrow('answered 503 Service Unavailable')
    answer = { status: 200, body: '<html>' }
    await expect(fetchStatus(base)).rejects.toThrow('did not answer JSON')
    answer = { status: 200, body: '{"hello":1}' }
    await expect(fetchStatus(base)).rejects.toThrow('did not answer a federation status')
    answer = { status: 200, body: '{"state":"running","domains":[{"remote":1}]}' }
    await expect(fetchStatus(base)).rejects.toThrow('domains[0] lacks remote, direction or state')
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    await expect(fetchStatus(`http://127.0.0.1:${port}`)).rejects.toThrow(/cannot reach .*ECONNREFUSED/)
  })
})
