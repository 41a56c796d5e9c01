import { Socket } from 'node:net'
import { parseConfig } from '@xmpp-federation/config'
import { type DnsLookup, DnsQueryError, type SrvRecord } from '@xmpp-federation/router'
import { describe, expect, it } from 'vitest'
import { DOCTOR_CODES, type DoctorReport, runDoctor } from '../src/index.js'

// The doctor's DNS and TCP reasoning with answers made up on the spot; the interop tests meet
// real DNS and real servers.

type Table = Record<string, SrvRecord[] | string[] | DnsQueryError>

function fakeDns(table: Table): DnsLookup {
  const answer = <T>(question: string, name: string): Promise<T> => {
    const entry = table[`${question} ${name}`]
    if (entry instanceof DnsQueryError) return Promise.reject(entry)
    if (entry === undefined)
      return Promise.reject(new DnsQueryError('NXDOMAIN', `${question} ${name}`, 'NXDOMAIN'))
    return Promise.resolve(entry as T)
  }
  return {
    srv: (name) => answer(`SRV`, name),
    addresses: async (name, family) =>
      (await answer<string[]>(family === 4 ? 'A' : 'AAAA', name)).map((address) => ({ address })),
  }
}

/** A TCP connection that never completes, like a firewall that drops packets. */
const blackHole = () => new Socket()
/** A TCP connection that is refused at once. */
const refused = () => {
  const socket = new Socket()
  setImmediate(() =>
    socket.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
  )
  return socket
}

const codes = (report: DoctorReport) => report.results.map((result) => `${result.status} ${result.code}`)

describe('runDoctor, DNS and TCP', () => {
  it('a DNS server that does not answer: DNS_TIMEOUT, our side to fix', async () => {
    const timeout = new DnsQueryError('TIMEOUT', 'SRV _xmpp-server._tcp.a.test', 'no answer within 5000 ms')
    const report = await runDoctor({
      domain: 'a.test',
      dns: fakeDns({ 'SRV _xmpp-server._tcp.a.test': timeout }),
    })
    expect(codes(report)).toEqual(['fail DNS_TIMEOUT', 'skip AUTH_SKIPPED'])
    expect(report.results[0]).toMatchObject({ side: 'local' })
    expect(report.ok).toBe(false)
  })

  it('SERVFAIL: DNS_FAILED', async () => {
    const servfail = new DnsQueryError('SERVFAIL', 'SRV _xmpp-server._tcp.a.test', 'ESERVFAIL')
    const report = await runDoctor({
      domain: 'a.test',
      dns: fakeDns({ 'SRV _xmpp-server._tcp.a.test': servfail }),
    })
    expect(codes(report)[0]).toBe('fail DNS_FAILED')
  })

  it('one SRV target without an address is a warning while another remains; TCP per target', async () => {
    const report = await runDoctor({
      domain: 'a.test',
      dns: fakeDns({
        'SRV _xmpp-server._tcp.a.test': [
          { name: 'one.a.test', port: 5269, priority: 0, weight: 0 },
          { name: 'two.a.test', port: 5270, priority: 1, weight: 0 },
        ],
        'A one.a.test': ['192.0.2.1'],
        'AAAA one.a.test': ['2001:db8::1'],
      }),
      connect: refused,
    })
    expect(codes(report)).toEqual([
      'skip DNS_SRV_ABSENT',
      'pass DNS_SRV_OK',
      'pass DNS_ADDRESS_OK',
      'warn DNS_NO_ADDRESS',
      'fail TCP_REFUSED',
      'fail TCP_REFUSED',
      'skip AUTH_SKIPPED',
    ])
    expect(report.targets).toEqual(['192.0.2.1:5269', '[2001:db8::1]:5269'])
    expect(report.results[2]!.message).toBe('one.a.test → 192.0.2.1, 2001:db8::1')
  })

  it('packets dropped: TCP_TIMEOUT after the connect budget, fixable on either side', async () => {
    const started = Date.now()
    const report = await runDoctor({
      domain: 'a.test',
      routes: [{ host: '192.0.2.7', port: 5269 }],
      connect: blackHole,
      timeouts: { connectMs: 50 },
    })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(codes(report)).toEqual(['pass DNS_STATIC_ROUTE', 'fail TCP_TIMEOUT', 'skip AUTH_SKIPPED'])
    expect(report.results[1]).toMatchObject({ side: 'either', target: '192.0.2.7:5269' })
    expect(report.results[1]!.message).toBe('no answer from 192.0.2.7:5269 within 50 ms')
  })

  it('our own policy comes first: POLICY_DENIED, with the setting to change', async () => {
    const config = parseConfig({
      domains: ['c.test'],
      security: { tls: 'opportunistic' },
      policy: { deny: ['*.spam.test'] },
      routes: { 'x.spam.test': [{ host: '192.0.2.9' }] },
    })
    const report = await runDoctor({ domain: 'x.spam.test', config, connect: refused })
    expect(report.results[0]).toMatchObject({
      step: 'policy',
      status: 'fail',
      code: 'POLICY_DENIED',
      side: 'local',
    })
    expect(report.results[0]!.hint).toContain('policy.deny')
    // The config's static route is used instead of DNS.
    expect(report.results[1]).toMatchObject({ code: 'DNS_STATIC_ROUTE' })
  })

  it('rejects something that is not a domain with a TypeError', async () => {
    await expect(runDoctor({ domain: 'not a domain' })).rejects.toThrow(TypeError)
  })

  it('reports each result as it is found', async () => {
    const seen: string[] = []
    await runDoctor({ domain: 'a.test', dns: fakeDns({}), onResult: (result) => seen.push(result.code) })
    expect(seen).toEqual(['DNS_SRV_NXDOMAIN', 'AUTH_SKIPPED'])
  })

  it('has stable, unique codes', () => {
    expect(new Set(DOCTOR_CODES).size).toBe(DOCTOR_CODES.length)
    for (const code of [
      'DNS_SRV_NXDOMAIN',
      'DNS_SRV_NONE',
      'DNS_NO_ADDRESS',
      'TCP_REFUSED',
      'TCP_TIMEOUT',
      'STARTTLS_NOT_OFFERED',
      'TLS_HANDSHAKE_FAILED',
      'TLS_CERT_NAME_MISMATCH',
      'TLS_CERT_EXPIRED',
      'TLS_CERT_EXPIRING',
      'TLS_UNTRUSTED',
      'TLS_CERT_PURPOSE',
      'SASL_EXTERNAL_NOT_OFFERED',
      'DIALBACK_DISABLED_REMOTE',
      'AUTH_FAILED',
      'AUTH_OK',
    ]) {
      expect(DOCTOR_CODES).toContain(code)
    }
  })
})
