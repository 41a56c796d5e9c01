import {
  createDomainPolicy,
  type PeerRule,
  type PeerSoftware,
  withPolicyDefaults,
} from '@xmpp-federation/policy'
import type { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import type { SharedPeerSoftwareCache } from '../src/cluster-port.js'
import { MAX_PREFETCHED, PeerSoftwareCheck, type PeerSoftwareOptions } from '../src/peer-software-check.js'
import { xml } from '../src/xml.js'

// The known-good rule: a stale answer the current policy allows lets the first stanza go at once
// (the new answer is asked meanwhile); anything else waits for the verdict before a byte goes out.
const HOUR = 3_600_000
const OPTIONS: PeerSoftwareOptions = { timeoutMs: 1_000, cacheTtlMs: HOUR, knownForMs: 24 * HOUR }

function answerFor(software: PeerSoftware | undefined): Element {
  if (!software) return xml('iq', { type: 'error' })
  return xml(
    'iq',
    { type: 'result' },
    xml('query', { xmlns: 'jabber:iq:version' }, xml('name', {}, software.name)),
  )
}

function setup(opts: { rules: PeerRule[]; shared?: SharedPeerSoftwareCache }) {
  const clock = { now: 1_000_000_000 }
  const policy = createDomainPolicy(
    withPolicyDefaults({ domains: ['c.test'], policy: { peerRules: opts.rules } }),
  )
  let peer: PeerSoftware | undefined = { name: 'Prosody' }
  const asked: string[] = []
  /** Answers not yet given: the test decides when the peer answers. */
  const waiting: (() => void)[] = []
  const check = new PeerSoftwareCheck(
    policy,
    (iq, _timeout, write) => {
      write(iq)
      const answer = answerFor(peer)
      return new Promise<Element>((resolve) => waiting.push(() => resolve(answer)))
    },
    OPTIONS,
    () => true,
    opts.shared,
    () => clock.now,
  )
  const run = (remote = 'b.test') => check.check('c.test', remote, (iq) => asked.push(iq.attrs.to), false)
  return {
    check,
    clock,
    asked,
    run,
    setPeer: (software: PeerSoftware | undefined) => {
      peer = software
    },
    answer: () => {
      for (const give of waiting.splice(0)) give()
    },
    /** Runs a check to its end, answering the query if one is made. */
    async settle(remote = 'b.test') {
      const pending = run(remote)
      await new Promise((resolve) => setImmediate(resolve))
      for (const give of waiting.splice(0)) give()
      return pending
    },
  }
}

/** Whether `promise` settled within a few turns of the event loop. */
async function settledSoon<T>(promise: Promise<T>): Promise<boolean> {
  let settled = false
  void promise.then(() => {
    settled = true
  })
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  return settled
}

const refuseProsody: PeerRule[] = [{ product: 'Prosody', action: 'refuse' }]
const refuseEvil: PeerRule[] = [{ product: 'Evil', action: 'refuse' }]

describe('PeerSoftwareCheck: the known-good rule', () => {
  it('a domain never answered waits for its answer', async () => {
    const t = setup({ rules: refuseEvil })
    const pending = t.run()
    expect(await settledSoon(pending)).toBe(false)
    expect(t.asked).toEqual(['b.test'])
    t.answer()
    const verdict = await pending
    expect(verdict.decision.allowed).toBe(true)
    expect(verdict.recheck).toBeUndefined()
  })

  it('a fresh answer is reused without asking', async () => {
    const t = setup({ rules: refuseEvil })
    await t.settle()
    t.clock.now += HOUR - 1
    const verdict = await t.run()
    expect(verdict.decision.allowed).toBe(true)
    expect(verdict.recheck).toBeUndefined()
    expect(t.asked).toHaveLength(1)
  })

  it('a stale answer the policy allows admits at once and asks again meanwhile', async () => {
    const t = setup({ rules: refuseEvil })
    await t.settle()
    t.clock.now += 2 * HOUR
    const verdict = await t.run()
    expect(verdict.decision.allowed).toBe(true)
    expect(verdict.recheck).toBeDefined()
    expect(t.asked).toHaveLength(2)
    t.answer()
    expect((await verdict.recheck)?.allowed).toBe(true)
    // The new answer is fresh again: the next stream neither waits nor asks.
    expect((await t.run()).recheck).toBeUndefined()
    expect(t.asked).toHaveLength(2)
  })

  it('a stale answer whose new one refuses: admitted now, the recheck refuses', async () => {
    const t = setup({ rules: refuseEvil })
    await t.settle()
    t.clock.now += 2 * HOUR
    t.setPeer({ name: 'Evil' })
    const verdict = await t.run()
    expect(verdict.decision.allowed).toBe(true)
    t.answer()
    expect(await verdict.recheck).toMatchObject({ allowed: false, code: 'PEER_SOFTWARE_REFUSED' })
    // From now on the refusal is what is known: the next stream is refused before anything goes out.
    expect((await t.run()).decision.allowed).toBe(false)
  })

  it('a known answer the current policy refuses waits for the new answer', async () => {
    const t = setup({ rules: refuseProsody })
    expect((await t.settle()).decision.allowed).toBe(false)
    t.clock.now += 2 * HOUR
    const pending = t.run()
    expect(await settledSoon(pending)).toBe(false)
    t.answer()
    expect((await pending).decision.allowed).toBe(false)
  })

  it('past the known window an answer is forgotten: the stream waits again', async () => {
    const t = setup({ rules: refuseEvil })
    await t.settle()
    t.clock.now += 25 * HOUR
    const pending = t.run()
    expect(await settledSoon(pending)).toBe(false)
    t.answer()
    expect((await pending).recheck).toBeUndefined()
  })

  it('the shared cache carries when the answer was given; prefetched at dial time', async () => {
    const store = new Map<string, { value: PeerSoftware | undefined; answeredAt?: number }>()
    const reads: string[] = []
    const shared: SharedPeerSoftwareCache = {
      get: async (remote) => {
        reads.push(remote)
        return store.get(remote)
      },
      set: (remote, value, _ttl, answeredAt) => {
        store.set(remote, { value, answeredAt })
      },
    }
    const first = setup({ rules: refuseEvil, shared })
    await first.settle()
    expect(store.get('b.test')).toEqual({ value: { name: 'Prosody' }, answeredAt: first.clock.now })
    // Another node, two hours later: the shared answer is stale but known-good.
    const other = setup({ rules: refuseEvil, shared })
    other.clock.now = first.clock.now + 2 * HOUR
    other.check.prefetch('b.test')
    expect(reads).toEqual(['b.test', 'b.test'])
    const verdict = await other.run()
    expect(reads).toHaveLength(2)
    expect(verdict.decision.allowed).toBe(true)
    expect(verdict.recheck).toBeDefined()
    other.answer()
    await verdict.recheck
    // An entry without its time (an older node wrote it) counts as fresh.
    store.set('d.test', { value: { name: 'Evil' } })
    expect((await other.run('d.test')).decision.allowed).toBe(false)
  })

  it('dials that never reach admission leave no more prefetched answers than MAX_PREFETCHED', async () => {
    const shared: SharedPeerSoftwareCache = { get: async () => undefined, set: () => {} }
    const { check } = setup({ rules: refuseEvil, shared })
    // A host sending to ever new domains that never answer: each dial prefetches, none is admitted.
    for (let index = 0; index < 3 * MAX_PREFETCHED; index++) {
      check.prefetch(`d${index}.test`)
      if (index % 100 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await new Promise((resolve) => setImmediate(resolve))
    check.prefetch('last.test')
    expect(check.prefetchedCount).toBeLessThanOrEqual(MAX_PREFETCHED)
  })
})
