import { z } from 'zod'
import { domainMap, domainPattern, positiveInt } from '../fields.js'
import { securityOverrideShape } from './security.js'

// Who we federate with and on which terms. The decisions themselves live in @xmpp-federation/policy.

const limitsShape = {
  maxStanzaBytes: positiveInt.meta({ description: 'largest stanza accepted from a peer, in bytes' }),
  stanzasPerSecond: positiveInt.meta({ description: 'sustained inbound stanza rate per remote domain' }),
  burst: positiveInt.meta({
    description: 'stanzas a remote domain may send at once above the sustained rate',
  }),
  maxStreams: positiveInt.meta({ description: 'concurrent streams per remote domain' }),
}

export const limitsSchema = z.strictObject({
  maxStanzaBytes: limitsShape.maxStanzaBytes.default(524288),
  stanzasPerSecond: limitsShape.stanzasPerSecond.default(100),
  burst: limitsShape.burst.default(500),
  maxStreams: limitsShape.maxStreams.default(8),
})

const limitsOverrideSchema = z.strictObject({
  maxStanzaBytes: limitsShape.maxStanzaBytes.optional(),
  stanzasPerSecond: limitsShape.stanzasPerSecond.optional(),
  burst: limitsShape.burst.optional(),
  maxStreams: limitsShape.maxStreams.optional(),
})

export const domainPolicySchema = z.strictObject({
  ...securityOverrideShape,
  webex: z.boolean().optional().meta({ description: 'the domain is a Cisco WebEx Messenger domain' }),
  limits: limitsOverrideSchema.optional(),
})

export const peerRuleSchema = z.strictObject({
  product: z
    .string()
    // A blank product would match every peer.
    .regex(/\S/, { error: 'must name a product, e.g. "Cisco Unified Presence"' })
    .meta({ description: 'software name the peer reports (XEP-0092), e.g. "Cisco Unified Presence"' }),
  versionBelow: z
    .string()
    .regex(/^\d+(\.\d+)*$/, { error: "must be a dotted version number such as '8' or '8.6.1'" })
    .optional()
    .meta({ description: 'the rule matches versions lower than this one; every version when absent' }),
  action: z.enum(['allow', 'refuse']),
  reason: z.string().optional().meta({ description: 'told to the administrator and in the refusal' }),
})

// IM and Presence 9.x cannot federate with Cisco Unified Presence 7.x (see the seed documentation).
const noCup7 = {
  product: 'Cisco Unified Presence',
  versionBelow: '8',
  action: 'refuse' as const,
  reason: 'CUP 7.x cannot federate over XMPP',
}

export const policySchema = z.strictObject({
  mode: z
    .enum(['open', 'allowlist', 'denylist'])
    .default('open')
    .meta({ description: 'which remote domains may federate, and whether `allow` or `deny` decides it' }),
  allow: z.array(domainPattern).default([]),
  deny: z.array(domainPattern).default([]),
  sipFederatedDomains: z
    .array(domainPattern)
    .default([])
    .meta({ description: 'domains federated over SIP; XMPP federation with them is refused' }),
  peerRules: z
    .array(peerRuleSchema)
    .default(() => [{ ...noCup7 }])
    .meta({ description: 'peer software rules, first match wins' }),
  unknownSoftware: z
    .enum(['allow', 'refuse'])
    .default('allow')
    .meta({ description: 'peers whose software and version cannot be learned' }),
  webexDomains: z.array(domainPattern).default([]).meta({ description: 'Cisco WebEx Messenger domains' }),
  webexInvites: z.enum(['reject', 'pass']).default('reject').meta({
    description: 'chat-room invitations from WebEx users: reject with an error, or pass them through',
  }),
  domains: domainMap(domainPolicySchema, 'patterns').default({}).meta({
    description: "per remote domain overrides, keyed by domain or '*.domain'; the most specific wins",
  }),
  limits: limitsSchema.prefault({}),
})
