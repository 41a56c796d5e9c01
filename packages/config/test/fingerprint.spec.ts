import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canonicalFederationSettings,
  type FederationConfigInput,
  fingerprint,
  parseConfig,
} from '../src/index.js'

// Pools kept apart so that generated configurations pass the checks across sections.
const LOCAL = ['c.test', 'd.test', 'e.test', 'bücher.example']
const ALLOW = ['a.test', 'b.test', '*.partner.test']
const DENY = ['spam.test', '*.bad.test', 'evil.test']
const SIP = ['sip-one.test', 'sip-two.test']
const WEBEX = ['webex.test', '*.webex.example']
const OVERRIDDEN = ['a.test', 'o.test', '*.partner.test']

const overrideArb = fc.record(
  {
    tls: fc.constantFrom('opportunistic', 'required'),
    requireValidCertificate: fc.boolean(),
    webex: fc.boolean(),
    limits: fc.record({ maxStanzaBytes: fc.integer({ min: 10_000, max: 1 << 20 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
)

const configArb = fc.record({
  domains: fc.subarray(LOCAL, { minLength: 1 }),
  security: fc.record({
    tls: fc.constantFrom('opportunistic', 'required'),
    requireValidCertificate: fc.boolean(),
  }),
  dialback: fc.option(fc.record({ secret: fc.string({ minLength: 16, maxLength: 40 }) }), { nil: undefined }),
  policy: fc.record({
    allow: fc.subarray(ALLOW),
    deny: fc.subarray(DENY),
    sipFederatedDomains: fc.subarray(SIP),
    webexDomains: fc.subarray(WEBEX),
    domains: fc.dictionary(fc.constantFrom(...OVERRIDDEN), overrideArb),
    limits: fc.record({ burst: fc.integer({ min: 1, max: 10_000 }) }, { requiredKeys: [] }),
  }),
  queue: fc.record({ maxStanzas: fc.integer({ min: 1, max: 10_000 }) }, { requiredKeys: [] }),
})

/** A small deterministic random source, so a failing case replays from its seed. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}

/** Every object rebuilt with its keys in a random order, at every depth. */
function reorderKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => reorderKeys(item, random))
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    shuffled(Object.entries(value), random).map(([key, entry]) => [key, reorderKeys(entry, random)]),
  )
}

const SET_LISTS = ['allow', 'deny', 'sipFederatedDomains', 'webexDomains'] as const

/** The same settings written differently: shuffled sets, repeated entries, other letter case, other key order. */
function rewrite(input: FederationConfigInput, seed: number): FederationConfigInput {
  const random = randomFrom(seed)
  const policy = { ...input.policy } as Record<string, unknown>
  for (const list of SET_LISTS) {
    const entries = policy[list] as string[]
    const repeated = random() < 0.5 && entries.length > 0 ? [...entries, entries[0]!.toUpperCase()] : entries
    policy[list] = shuffled(repeated, random)
  }
  const domains = shuffled(input.domains, random).map((domain) =>
    random() < 0.5 ? domain.toUpperCase() : domain,
  )
  return reorderKeys({ ...input, domains, policy }, random) as FederationConfigInput
}

describe('fingerprint', () => {
  it('is stable under key order, list order, repetition and letter case of set entries', () => {
    fc.assert(
      fc.property(configArb, fc.integer(), (input, seed) => {
        const original = parseConfig(input as FederationConfigInput)
        const rewritten = parseConfig(rewrite(input as FederationConfigInput, seed))
        expect(fingerprint(rewritten)).toBe(fingerprint(original))
      }),
      { numRuns: 300 },
    )
  })

  it('ignores node-local settings', () => {
    const nodeLocal = fc.record(
      {
        cluster: fc.constantFrom('east', 'west'),
        node: fc.constantFrom('imp-1', 'imp-2'),
        enabled: fc.boolean(),
        listen: fc.array(
          fc.record({ port: fc.integer({ min: 1, max: 65535 }), directTls: fc.constant(false) }),
          {
            maxLength: 1,
          },
        ),
        http: fc.record({ port: fc.integer({ min: 1, max: 65535 }) }),
        dns: fc.record({ servers: fc.constant(['127.0.0.1:5353']) }),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(configArb, nodeLocal, (input, local) => {
        const base = parseConfig(input as FederationConfigInput)
        const tls = { cert: 'node.crt', key: 'node.key', ca: ['node-ca.crt'] }
        const withLocal = parseConfig({ ...input, ...local, tls } as FederationConfigInput)
        expect(fingerprint(withLocal)).toBe(fingerprint(base))
      }),
      { numRuns: 200 },
    )
  })

  it('changes when a cluster-wide setting changes', () => {
    fc.assert(
      fc.property(configArb, (input) => {
        const base = parseConfig(input as FederationConfigInput)
        const changed = parseConfig({ ...input, queue: { maxStanzas: 10_001 } } as FederationConfigInput)
        expect(fingerprint(changed)).not.toBe(fingerprint(base))
      }),
      { numRuns: 100 },
    )
  })

  it('never contains the dialback secret in the canonical settings', () => {
    fc.assert(
      fc.property(configArb, fc.string({ minLength: 16, maxLength: 40 }), (input, secret) => {
        const config = parseConfig({ ...input, dialback: { secret } } as FederationConfigInput)
        expect(JSON.stringify(canonicalFederationSettings(config))).not.toContain(
          JSON.stringify(secret).slice(1, -1),
        )
      }),
      { numRuns: 100 },
    )
  })
})
