import { type Element, parse } from 'ltx'
import { describe, expect, it } from 'vitest'
import { withPolicyDefaults } from '../src/defaults.js'
import type { EmailDirectory } from '../src/email-mapping.js'
import { createDomainPolicy, type DecisionEvent } from '../src/policy.js'
import type { PartialPolicyInput } from '../src/types.js'

function setup(partial: PartialPolicyInput = {}, directory?: EmailDirectory) {
  const events: DecisionEvent[] = []
  const policy = createDomainPolicy(withPolicyDefaults({ domains: ['corp.example'], ...partial }), {
    onDecision: (event) => events.push(event),
    ...(directory ? { directory } : {}),
  })
  return { policy, events }
}

describe('createDomainPolicy', () => {
  it('checkDomain: lists first, then the SIP migration rule', () => {
    const { policy } = setup({
      policy: { deny: ['spam.example'], sipFederatedDomains: ['ciscoexample.com', 'spam.example'] },
    })
    expect(policy.checkDomain('partner.example').code).toBe('ALLOWED')
    expect(policy.checkDomain('CiscoExample.com')).toMatchObject({ allowed: false, code: 'SIP_FEDERATED' })
    expect(policy.checkDomain('spam.example').code).toBe('DENYLISTED')
    expect(policy.checkDomain('not a domain').code).toBe('INVALID_DOMAIN')
  })

  it('reports every decision, allowed or not, with the check and the normalized domain', () => {
    const { policy, events } = setup({ policy: { mode: 'allowlist', allow: ['partner.example'] } })
    policy.checkDomain('Partner.Example')
    policy.checkDomain('other.example')
    policy.checkDomain('bad domain')
    expect(events.map((e) => [e.check, e.remote, e.decision.code])).toEqual([
      ['domain', 'partner.example', 'ALLOWED'],
      ['domain', 'other.example', 'NOT_ALLOWLISTED'],
      ['domain', 'bad domain', 'INVALID_DOMAIN'],
    ])
  })

  it('resolves security and limits per domain', () => {
    const { policy, events } = setup({
      policy: {
        domains: { '*.legacy.example': { requireValidCertificate: false, limits: { maxStreams: 1 } } },
      },
    })
    expect(policy.security('a.legacy.example').requireValidCertificate).toBe(false)
    expect(policy.limits('a.legacy.example').maxStreams).toBe(1)
    expect(policy.checkStreamCount('a.legacy.example', 1).code).toBe('TOO_MANY_STREAMS')
    expect(events.map((e) => e.check)).toEqual(['stream-count'])
  })

  it('peer software and rate', () => {
    const { policy } = setup({ policy: { limits: { stanzasPerSecond: 1, burst: 1 } } })
    expect(
      policy.checkPeerSoftware('cup.example', { name: 'Cisco Unified Presence', version: '7.0' }).code,
    ).toBe('PEER_SOFTWARE_REFUSED')
    expect(policy.checkRate('p.example', 0).allowed).toBe(true)
    expect(policy.checkRate('P.Example', 10).code).toBe('RATE_LIMITED')
    expect(policy.checkRate('p.example', 1010).allowed).toBe(true)
  })

  it('per-stanza checks keep each domain its own settings while many domains come and go', () => {
    // The rate and WebEx checks resolve a domain's settings once and keep them (bounded):
    // a domain's override must hold before and after the kept ones were dropped.
    const { policy } = setup({
      policy: {
        limits: { stanzasPerSecond: 1000, burst: 1000 },
        domains: { 'slow.example': { limits: { stanzasPerSecond: 1, burst: 1 } } },
        webexDomains: ['webex.example'],
      },
    })
    const invite = parse(
      "<message from='a@webex.example' to='b@corp.example'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@webex.example'/></x></message>",
    )
    for (let round = 0; round < 2; round++) {
      const now = round * 10_000
      expect(policy.checkRate('slow.example', now).allowed).toBe(true)
      expect(policy.checkRate('slow.example', now).code).toBe('RATE_LIMITED')
      expect(policy.checkInboundStanza('webex.example', invite).code).toBe('WEBEX_INVITE')
      for (let i = 0; i < 5000; i++) expect(policy.checkRate(`d${i}.example`, now).allowed).toBe(true)
    }
  })

  it('checkInboundStanza applies the WebEx invite constraint to tagged domains only', () => {
    const { policy } = setup({
      policy: { webexDomains: ['*.webex.example'], domains: { 'c.example': { webex: true } } },
    })
    const invite = parse(
      `<message from='bob@a.webex.example'><x xmlns='jabber:x:conference' jid='r@conf.a.webex.example'/></message>`,
    )
    expect(policy.checkInboundStanza('a.webex.example', invite)).toMatchObject({
      code: 'WEBEX_INVITE',
      condition: 'feature-not-implemented',
    })
    expect(policy.checkInboundStanza('c.example', invite).code).toBe('WEBEX_INVITE')
    expect(policy.checkInboundStanza('prosody.example', invite).code).toBe('ALLOWED')
  })

  it('checkInbound answers and reports as checkRate then checkInboundStanza do, refusals first', () => {
    // The router's one call per inbound stanza, for a domain the stream normalised: the same
    // decisions and the same events as the two checks it stands for.
    const partial = {
      policy: { limits: { stanzasPerSecond: 1, burst: 1 }, webexDomains: ['webex.example'] },
    }
    const invite = parse(
      `<message from='bob@webex.example' to='b@corp.example'><x xmlns='jabber:x:conference' jid='r@conf.webex.example'/></message>`,
    )
    const plain = parse(`<message from='bob@webex.example' to='b@corp.example'/>`)
    const two = setup(partial)
    const one = setup(partial)
    const steps: [Element, number][] = [
      [plain, 0],
      [plain, 10],
      [invite, 2000],
      [invite, 2010],
    ]
    const codes = steps.map(([stanza, now]) => {
      const rate = two.policy.checkRate('webex.example', now)
      const rules = two.policy.checkInboundStanza('webex.example', stanza)
      const expected = rate.allowed ? rules : rate
      const got = one.policy.checkInbound!('webex.example', stanza, now)
      expect(got).toEqual(expected)
      return got.code
    })
    expect(codes).toEqual(['ALLOWED', 'RATE_LIMITED', 'WEBEX_INVITE', 'RATE_LIMITED'])
    expect(one.events).toEqual(two.events)
    expect(one.events.map((e) => e.check)).toEqual(Array(4).fill(['rate', 'inbound-stanza']).flat())
  })

  it('email for federation: off is a no-op; on maps and reports', async () => {
    const message = parse(`<message from='alice@corp.example/r' to='dave@partner.example'/>`)
    const off = setup()
    expect((await off.policy.mapOutbound(message)).stanza).toBe(message)
    expect(off.events).toEqual([])

    const directory: EmailDirectory = {
      emailForJid: (jid) => (jid === 'alice@corp.example' ? 'alice.smith@corp.example' : undefined),
      jidForEmail: (email) => (email === 'alice.smith@corp.example' ? 'alice@corp.example' : undefined),
    }
    const on = setup({ emailForFederation: { enabled: true } }, directory)
    const out = await on.policy.mapOutbound(message)
    expect(out.stanza?.attrs.from).toBe('alice.smith@corp.example/r')
    const back = await on.policy.mapInbound(
      parse(`<message from='dave@partner.example' to='alice.smith@corp.example/r'/>`),
    )
    expect(back.stanza?.attrs.to).toBe('alice@corp.example/r')
    expect(on.events.map((e) => [e.check, e.remote, e.decision.code])).toEqual([
      ['outbound-addresses', 'partner.example', 'ALLOWED'],
      ['inbound-addresses', 'partner.example', 'ALLOWED'],
    ])
  })

  it('email for federation without a directory is a setup error', () => {
    const input = withPolicyDefaults({
      domains: ['corp.example'],
      emailForFederation: { enabled: true },
    })
    expect(() => createDomainPolicy(input)).toThrow(/directory/)
  })
})

describe('withPolicyDefaults', () => {
  it('fills every field, secure by default, with the CUP 7.x rule', () => {
    const input = withPolicyDefaults()
    expect(input.security).toEqual({
      tls: 'required',
      requireValidCertificate: true,
      saslExternal: { inbound: true, outbound: true },
      dialback: true,
    })
    expect(input.policy).toMatchObject({ mode: 'open', unknownSoftware: 'allow', webexInvites: 'reject' })
    expect(input.policy.peerRules[0]).toMatchObject({ product: 'Cisco Unified Presence', versionBelow: '8' })
    expect(input.emailForFederation).toEqual({ enabled: false, unmapped: 'keep-jid', emailDomains: [] })
  })

  it('keeps what is given, replaces lists, and ignores undefined fields', () => {
    const input = withPolicyDefaults({
      security: { saslExternal: { outbound: false } },
      policy: { peerRules: [], limits: { burst: 3, maxStreams: undefined } },
    })
    expect(input.security.saslExternal).toEqual({ inbound: true, outbound: false })
    expect(input.policy.peerRules).toEqual([])
    expect(input.policy.limits).toEqual({
      maxStanzaBytes: 524_288,
      stanzasPerSecond: 100,
      burst: 3,
      maxStreams: 8,
    })
  })
})
