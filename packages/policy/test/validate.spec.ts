import { describe, expect, it } from 'vitest'
import { withPolicyDefaults } from '../src/defaults.js'
import type { PartialPolicyInput, PolicyInput } from '../src/types.js'
import { validatePolicyConfig } from '../src/validate.js'

const input = (partial: PartialPolicyInput = {}) =>
  withPolicyDefaults({ localDomains: ['corp.example'], ...partial })
const codes = (config: PolicyInput) => validatePolicyConfig(config).map((p) => `${p.path} ${p.code}`)

describe('validatePolicyConfig', () => {
  it('accepts the defaults with a local domain', () => {
    expect(validatePolicyConfig(input())).toEqual([])
  })

  it('SIP-federated and enabled for XMPP: an error naming the domain and the fix', () => {
    const problems = validatePolicyConfig(
      input({ policy: { sipFederatedDomains: ['other.example', 'CiscoExample.com'] } }),
    )
    expect(problems).toHaveLength(2)
    expect(problems[1]).toMatchObject({
      path: 'policy.sipFederatedDomains[1]',
      code: 'SIP_FEDERATED_CONFLICT',
      severity: 'error',
      fix: 'remove ciscoexample.com from sipFederatedDomains before enabling XMPP federation with it',
    })
    expect(problems[1]?.message).toContain('ciscoexample.com')
  })

  it('a SIP-federated domain that XMPP federation does not enable is fine', () => {
    expect(
      codes(input({ policy: { sipFederatedDomains: ['ciscoexample.com'], deny: ['ciscoexample.com'] } })),
    ).toEqual([])
    expect(
      codes(
        input({
          policy: {
            mode: 'allowlist',
            allow: ['partner.example'],
            sipFederatedDomains: ['ciscoexample.com'],
          },
        }),
      ),
    ).toEqual([])
  })

  it('a SIP wildcard conflicts with open mode, and with allow entries under it', () => {
    expect(codes(input({ policy: { sipFederatedDomains: ['*.sip.example'] } }))).toEqual([
      'policy.sipFederatedDomains[0] SIP_FEDERATED_CONFLICT',
    ])
    const allowlist = (allow: string[], deny: string[] = []) =>
      codes(input({ policy: { mode: 'allowlist', allow, deny, sipFederatedDomains: ['*.sip.example'] } }))
    expect(allowlist(['a.sip.example'])).toEqual(['policy.sipFederatedDomains[0] SIP_FEDERATED_CONFLICT'])
    expect(allowlist(['*.b.sip.example'])).toEqual(['policy.sipFederatedDomains[0] SIP_FEDERATED_CONFLICT'])
    expect(allowlist(['sip.example', 'other.example'])).toEqual([])
    expect(allowlist(['a.sip.example'], ['*.sip.example'])).toContain('policy.allow[0] ALLOW_SHADOWED')
    expect(allowlist(['a.sip.example'], ['*.sip.example'])).not.toContain(
      'policy.sipFederatedDomains[0] SIP_FEDERATED_CONFLICT',
    )
  })

  it('a malformed SIP entry is an invalid domain', () => {
    expect(codes(input({ policy: { deny: ['x.example'], sipFederatedDomains: ['a.*.example'] } }))).toEqual([
      'policy.sipFederatedDomains[0] INVALID_DOMAIN',
    ])
  })

  it('reports malformed domains and patterns with their paths', () => {
    const config = input({
      localDomains: ['corp.example', 'bad domain'],
      policy: { deny: ['ok.example', 'a.*.example'], webexDomains: ['*'], domains: { 'x..example': {} } },
      emailForFederation: { emailDomains: ['mail/evil'] },
    })
    expect(codes(config)).toEqual([
      'localDomains[1] INVALID_DOMAIN',
      'policy.deny[1] INVALID_PATTERN',
      'policy.webexDomains[0] INVALID_PATTERN',
      'policy.domains["x..example"] INVALID_PATTERN',
      'emailForFederation.emailDomains[0] INVALID_DOMAIN',
    ])
  })

  it('requires a local domain', () => {
    expect(codes(withPolicyDefaults())).toEqual(['localDomains NO_LOCAL_DOMAIN'])
  })

  it('reports bad limits and limits below RFC 6120 §13.12', () => {
    const config = input({
      policy: {
        limits: { maxStanzaBytes: 5000, stanzasPerSecond: 0, burst: Number.NaN },
        domains: { 'p.example': { limits: { maxStreams: 1.5 } } },
      },
    })
    expect(codes(config)).toEqual([
      'policy.limits.maxStanzaBytes STANZA_LIMIT_TOO_LOW',
      'policy.limits.stanzasPerSecond INVALID_LIMIT',
      'policy.limits.burst INVALID_LIMIT',
      'policy.domains["p.example"].limits.maxStreams INVALID_LIMIT',
    ])
  })

  it('reports peer rules that cannot work', () => {
    const config = input({
      policy: {
        peerRules: [
          { product: ' ', action: 'refuse' },
          { product: 'X', versionBelow: 'new', action: 'refuse' },
        ],
      },
    })
    expect(codes(config)).toEqual([
      'policy.peerRules[0].product EMPTY_PRODUCT',
      'policy.peerRules[1].versionBelow INVALID_VERSION',
    ])
  })

  it('reports values outside the enums (input from JSON)', () => {
    const config = input()
    ;(config.policy as { mode: string }).mode = 'whitelist'
    ;(config.security as { tls: string }).tls = 'smart'
    expect(codes(config)).toContain('policy.mode INVALID_VALUE')
    expect(codes(config)).toContain('security.tls INVALID_VALUE')
  })

  it('reports contradictory security, globally and for the overrides that cause it', () => {
    const config = input({
      security: { tls: 'required', dialback: false },
      policy: {
        domains: {
          '*.legacy.example': { tls: 'none' },
          'ok.legacy.example': { tls: 'opportunistic' },
          'limits.example': { limits: { burst: 10 } },
        },
      },
    })
    expect(codes(config)).toEqual([
      'policy.domains["*.legacy.example"] CERTIFICATE_WITHOUT_TLS',
      'policy.domains["*.legacy.example"] SASL_EXTERNAL_WITHOUT_TLS',
      'policy.domains["*.legacy.example"] NO_AUTH_METHOD',
      'policy.domains["*.legacy.example"] NO_AUTH_METHOD',
    ])
  })

  it('warns about lists that do not do what they seem to', () => {
    expect(codes(input({ policy: { mode: 'allowlist' } }))).toEqual(['policy.allow EMPTY_ALLOWLIST'])
    expect(codes(input({ policy: { mode: 'denylist' } }))).toEqual(['policy.deny EMPTY_DENYLIST'])
    expect(codes(input({ policy: { mode: 'open', allow: ['a.example'] } }))).toEqual([
      'policy.allow ALLOW_UNUSED',
    ])
    expect(
      codes(
        input({
          policy: {
            mode: 'allowlist',
            allow: ['a.example', '*.b.example', 'A.example'],
            deny: ['*.example'],
          },
        }),
      ),
    ).toEqual([
      'policy.allow[2] DUPLICATE_ENTRY',
      'policy.allow[0] ALLOW_SHADOWED',
      'policy.allow[1] ALLOW_SHADOWED',
      'policy.allow[2] ALLOW_SHADOWED',
    ])
  })

  it('every problem carries a message and a fix', () => {
    const config = input({ policy: { mode: 'allowlist', sipFederatedDomains: ['bad domain'] } })
    for (const problem of validatePolicyConfig(config)) {
      expect(problem.message.length).toBeGreaterThan(0)
      expect(problem.fix.length).toBeGreaterThan(0)
    }
  })
})
