import { expect } from 'vitest'
import { peerHeader } from '../../fuzz/hostile-peer.js'
import type { SessionOutcome } from '../../fuzz/session-target.js'

/**
 * Inputs for the attack suites, run through the fuzzer's session harness
 * (fuzz/session-target.ts): the real listener code on 127.0.0.80, a hostile
 * raw peer, and the session invariants checked on every run.
 */

/** The peer's stream header (b.test -> c.test, as Prosody writes it). */
export const HEADER = peerHeader('b.test', 'c.test')
/** Dialback-shaped auth the harness's trusting mechanism accepts: authenticates b.test -> c.test in clear. */
export const DIALBACK = "<db:result from='b.test' to='c.test'>key</db:result>"
/** A legitimate stanza on the authenticated pair. */
export const message = (id: string, body = 'hi') =>
  `<message from='bea@b.test/r' to='bob@c.test' id='${id}' type='chat'><body>${body}</body></message>`

export const bytes = (...parts: (string | Uint8Array)[]): Uint8Array[] =>
  parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))

/** The stream ended with exactly `condition`, on the wire and in the session, with all invariants kept. */
export function expectStreamError(outcome: SessionOutcome, condition: string, delivered = 0): void {
  expect(outcome.problems).toEqual([])
  expect(outcome.exit).toBe(`local:${condition}`)
  expect(outcome.received).toContain(
    `<stream:error><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>`,
  )
  expect(outcome.received).toMatch(/<\/stream:error><\/stream:stream>$/)
  expect(outcome.stanzas).toBe(delivered)
}
