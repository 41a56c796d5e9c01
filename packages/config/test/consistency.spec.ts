import { describe, expect, it } from 'vitest'
import { safeParseConfig } from '../src/index.js'
import { issueAt, issuesOf, withBase } from './helpers.js'

describe('checks across sections', () => {
  it('names a SIP federated domain that is also configured for XMPP, with the fix', () => {
    const config = withBase({
      policy: {
        sipFederatedDomains: ['ciscoexample.com'],
        allow: ['ciscoexample.com'],
        domains: { 'CiscoExample.com': { tls: 'opportunistic' } },
      },
    })
    expect(issueAt(config, 'policy.sipFederatedDomains[0]')).toEqual({
      code: 'SIP_CONFLICT',
      path: 'policy.sipFederatedDomains[0]',
      message:
        'ciscoexample.com is still a SIP federated domain, but XMPP federation with it is configured in policy.allow (ciscoexample.com), policy.domains (ciscoexample.com)',
      fix: 'remove ciscoexample.com from policy.sipFederatedDomains before enabling XMPP federation with it, or drop those XMPP settings',
    })
  })

  it('counts wildcard entries as configuring the domains they match', () => {
    const config = withBase({
      policy: { sipFederatedDomains: ['sip.example.com'], allow: ['*.example.com'] },
    })
    expect(issueAt(config, 'policy.sipFederatedDomains[0]').message).toContain('policy.allow (*.example.com)')
    // A SIP domain that is only denied, or federated by open mode, is left to the policy at run time.
    expect(
      safeParseConfig(withBase({ policy: { sipFederatedDomains: ['sip.test'], deny: ['sip.test'] } })).ok,
    ).toBe(true)
    expect(safeParseConfig(withBase({ policy: { sipFederatedDomains: ['sip.test'] } })).ok).toBe(true)
  })

  it('rejects remote-domain settings that name a domain we serve', () => {
    expect(
      issueAt(withBase({ routes: { 'c.test': [{ host: '127.0.0.9' }] } }), 'routes.c.test').message,
    ).toBe('names c.test, which this deployment serves itself')
    expect(issueAt(withBase({ policy: { deny: ['C.test'] } }), 'policy.deny[0]').path).toBe('policy.deny[0]')
  })

  it('rejects a domain listed twice, in domains or in both allow and deny', () => {
    expect(issueAt({ domains: ['c.test', 'C.TEST'] }, 'domains[1]').message).toBe(
      'lists c.test a second time (first at domains[0])',
    )
    expect(
      issueAt(withBase({ policy: { allow: ['a.test'], deny: ['a.test'] } }), 'policy.allow[0]').message,
    ).toBe('a.test is in both policy.allow and policy.deny (deny wins)')
  })

  it('flags a list mode whose list is empty', () => {
    expect(issueAt(withBase({ policy: { mode: 'allowlist' } }), 'policy.allow').message).toBe(
      "is empty while policy.mode is 'allowlist', so no domain may federate",
    )
    expect(issueAt(withBase({ policy: { mode: 'denylist' } }), 'policy.deny').fix).toBe(
      "list the domains to refuse, or set policy.mode to 'open'",
    )
  })

  it('requires a certificate for every served domain when inbound TLS is mandatory', () => {
    const listen = [{ port: 5269 }]
    expect(issueAt({ domains: ['c.test', 'd.test'], listen }, 'tls').message).toBe(
      "has no certificate for c.test, d.test, but inbound streams require TLS (security.tls 'required' or a directTls listener)",
    )
    const perDomain = { certificates: { 'c.test': { cert: 'c.crt', key: 'c.key' } } }
    expect(issueAt({ domains: ['c.test', 'd.test'], listen, tls: perDomain }, 'tls').message).toMatch(
      /^has no certificate for d.test,/,
    )
    expect(
      issueAt(
        withBase({ listen: [{ port: 5270, directTls: true }], security: { tls: 'opportunistic' } }),
        'tls',
      ).path,
    ).toBe('tls')
    // Outbound only, or TLS not mandatory: no certificate needed.
    expect(safeParseConfig(withBase({})).ok).toBe(true)
    expect(safeParseConfig(withBase({ listen, security: { tls: 'opportunistic' } })).ok).toBe(true)
    expect(safeParseConfig(withBase({ listen, tls: { cert: 'c.crt', key: 'c.key' } })).ok).toBe(true)
  })

  it('treats email domains as served domains when email for federation is on', () => {
    const email = { enabled: true, emailDomains: ['mail.test'] }
    expect(
      issueAt(withBase({ emailForFederation: email, policy: { allow: ['mail.test'] } }), 'policy.allow[0]')
        .message,
    ).toBe('names mail.test, which this deployment serves itself')
    const tls = {
      certificates: {
        'c.test': { cert: 'c.crt', key: 'c.key' },
        'mail.test': { cert: 'm.crt', key: 'm.key' },
      },
    }
    expect(safeParseConfig(withBase({ emailForFederation: email, listen: [{ port: 5269 }], tls })).ok).toBe(
      true,
    )
    expect(issueAt(withBase({ tls }), 'tls.certificates.mail.test').message).toBe(
      'is not a domain this deployment serves (c.test)',
    )
  })

  it('rejects duplicate listeners', () => {
    const listen = [{ host: '127.0.0.1', port: 5269 }, { host: '127.0.0.1' }]
    expect(issueAt(withBase({ listen, security: { tls: 'none' } }), 'listen[1]').message).toBe(
      'listens on 127.0.0.1:5269 like listen[0]',
    )
  })

  it('rejects security settings that leave no way to authenticate', () => {
    expect(issueAt(withBase({ security: { dialback: false, tls: 'none' } }), 'security')).toEqual({
      code: 'NO_AUTH_METHOD',
      path: 'security',
      message:
        'leaves inbound and outbound streams without an authentication method (dialback is off or needs a certificate TLS cannot carry, and SASL EXTERNAL is off or has no TLS)',
      fix: 'enable dialback (with requireValidCertificate false if TLS is off), or SASL EXTERNAL together with TLS',
    })
    expect(
      issueAt(
        withBase({ policy: { domains: { 'a.test': { dialback: false, tls: 'none' } } } }),
        'policy.domains.a.test',
      ).message,
    ).toMatch(/^leaves inbound and outbound streams/)
    // A per-domain entry may repair what the global settings leave open.
    const repaired = withBase({
      security: { dialback: false, tls: 'none' },
      policy: { domains: { 'a.test': { tls: 'required' } } },
    })
    expect(issuesOf(repaired).map((issue) => issue.path)).toEqual(['security'])
  })
})
