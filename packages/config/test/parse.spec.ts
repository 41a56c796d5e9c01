import { describe, expect, it } from 'vitest'
import { type FederationConfig, parseConfig, safeParseConfig } from '../src/index.js'

describe('parseConfig with a minimal configuration', () => {
  const config = parseConfig({ domains: ['c.test'] })

  it('fills every default', () => {
    expect(config).toEqual({
      enabled: true,
      domains: ['c.test'],
      listen: [],
      tls: { ca: [], systemCa: true },
      security: {
        tls: 'required',
        requireValidCertificate: true,
        saslExternal: { inbound: true, outbound: true },
        dialback: true,
      },
      routes: {},
      dns: { timeoutMs: 5000 },
      policy: {
        mode: 'open',
        allow: [],
        deny: [],
        sipFederatedDomains: [],
        peerRules: [
          {
            product: 'Cisco Unified Presence',
            versionBelow: '8',
            action: 'refuse',
            reason: 'CUP 7.x cannot federate over XMPP',
          },
        ],
        unknownSoftware: 'allow',
        webexDomains: [],
        webexInvites: 'reject',
        domains: {},
        limits: { maxStanzaBytes: 524288, stanzasPerSecond: 100, burst: 500, maxStreams: 8 },
      },
      emailForFederation: { enabled: false, unmapped: 'keep-jid', emailDomains: [] },
      queue: { maxStanzas: 1000, maxBytes: 1048576, ttlMs: 30000 },
      streams: {
        bidi: true,
        maxBufferedBytes: 1048576,
        maxBufferedBytesTotal: 67108864,
        maxUnackedStanzas: 10000,
        maxUnackedBytes: 2097152,
        ackTimeoutMs: 30000,
        maxDomainsPerCertificate: 64,
      },
      timeouts: { connectMs: 10000, negotiationMs: 30000, keepaliveMs: 60000, idleMs: 600000, dnsMs: 5000 },
    } satisfies FederationConfig)
  })

  it('gives every caller its own default objects', () => {
    const other = parseConfig({ domains: ['c.test'] })
    other.policy.peerRules.push({ product: 'x', action: 'allow' })
    expect(parseConfig({ domains: ['c.test'] }).policy.peerRules).toHaveLength(1)
  })
})

describe('parseConfig with a full configuration', () => {
  const config = parseConfig({
    cluster: 'east',
    node: 'imp-1',
    domains: ['C.Test', 'bücher.example'],
    listen: [
      { host: '127.0.0.4', port: 5269 },
      { port: 5270, directTls: true },
    ],
    tls: { cert: 'c.test.crt', key: 'c.test.key', ca: ['ca.crt'] },
    security: { tls: 'opportunistic', saslExternal: { outbound: false } },
    dialback: { secret: 'a-secret-of-at-least-16' },
    routes: { 'A.Test': [{ host: '127.0.0.2' }] },
    dns: { servers: ['127.0.0.1:5353', '[::1]:53'] },
    policy: {
      mode: 'allowlist',
      allow: ['a.test', '*.Example.ORG'],
      domains: {
        'a.test': { tls: 'none', requireValidCertificate: false, limits: { maxStanzaBytes: 65536 } },
        '*.example.org': { requireValidCertificate: false },
      },
      webexDomains: ['webex.test'],
      peerRules: [],
    },
    emailForFederation: { enabled: true, unmapped: 'refuse', emailDomains: ['mail.c.test'] },
    http: { port: 8081 },
  })

  it('normalises domains, keys and patterns to lower-case A-labels', () => {
    expect(config.domains).toEqual(['c.test', 'xn--bcher-kva.example'])
    expect(Object.keys(config.routes)).toEqual(['a.test'])
    expect(config.policy.allow).toEqual(['a.test', '*.example.org'])
  })

  it('fills nested defaults next to what was given', () => {
    expect(config.listen).toEqual([
      { host: '127.0.0.4', port: 5269, directTls: false },
      { port: 5270, directTls: true },
    ])
    expect(config.routes['a.test']).toEqual([{ host: '127.0.0.2', port: 5269, directTls: false }])
    expect(config.security.saslExternal).toEqual({ inbound: true, outbound: false })
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8081 })
    expect(config.policy.peerRules).toEqual([])
  })

  it('keeps per-domain overrides sparse, so absent keys inherit', () => {
    expect(config.policy.domains['a.test']).toEqual({
      tls: 'none',
      requireValidCertificate: false,
      limits: { maxStanzaBytes: 65536 },
    })
  })

  it('keeps file paths as written when no base directory is given', () => {
    expect(config.tls.cert).toBe('c.test.crt')
  })
})

describe('safeParseConfig', () => {
  it('returns the config or the issues, never throws', () => {
    expect(safeParseConfig({ domains: ['c.test'] }).ok).toBe(true)
    expect(safeParseConfig(undefined)).toEqual({
      ok: false,
      issues: [
        {
          code: 'MISSING_VALUE',
          path: '',
          message: 'the configuration must be an object with at least `domains`',
        },
      ],
    })
  })

  it('resolves relative file paths against baseDir', () => {
    const result = safeParseConfig(
      {
        domains: ['c.test'],
        tls: {
          cert: 'c.crt',
          key: '/abs/c.key',
          certificates: { 'c.test': { cert: 'x.crt', key: 'x.key' } },
        },
      },
      { baseDir: '/etc/xf' },
    )
    expect(result.ok && result.config.tls).toMatchObject({
      cert: '/etc/xf/c.crt',
      key: '/abs/c.key',
      certificates: { 'c.test': { cert: '/etc/xf/x.crt', key: '/etc/xf/x.key' } },
    })
  })
})
