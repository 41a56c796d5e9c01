import type { S2SSession } from '@xmpp-federation/stream'
import { EventEmitter } from 'eventemitter3'
import { expect, it } from 'vitest'
import { OTHER_DOMAINS, TrafficTotals } from '../src/traffic-totals.js'

/** Just what the totals read of a stream: its counters, its pairs, its `closed` event. */
function fakeStream(remote: string | undefined, stanzasIn: number, stanzasOut: number) {
  const stream = Object.assign(new EventEmitter(), {
    stats: { stanzasIn, stanzasOut, bytesIn: 0, bytesOut: 0 },
    authenticatedPairs: remote ? [{ local: 'c.test', remote, mechanism: 'EXTERNAL' }] : [],
    // What the peer's stream header claims; not a reason to count the stream for it.
    remoteDomain: 'claimed.test',
  })
  return { session: stream as unknown as S2SSession, stream, close: () => stream.emit('closed', {}) }
}

it('counts a stream once for the domain it was first seen with, open or closed', () => {
  const totals = new TrafficTotals()
  const first = fakeStream('a.test', 2, 3)
  totals.track(first.session)
  totals.track(first.session)
  expect(totals.snapshot()).toEqual([{ remote: 'a.test', stanzasIn: 2, stanzasOut: 3 }])
  first.stream.authenticatedPairs.unshift({ local: 'c.test', remote: 'b.test', mechanism: 'EXTERNAL' })
  first.close()
  const second = fakeStream('a.test', 1, 0)
  totals.track(second.session)
  expect(totals.snapshot()).toEqual([{ remote: 'a.test', stanzasIn: 3, stanzasOut: 3 }])
})

it('counts no stream for a domain until it has authenticated one', () => {
  const totals = new TrafficTotals()
  const stream = fakeStream(undefined, 0, 0)
  totals.track(stream.session)
  expect(totals.snapshot()).toEqual([])
  stream.stream.authenticatedPairs.push({ local: 'c.test', remote: 'a.test', mechanism: 'dialback' })
  stream.stream.stats.stanzasIn = 4
  expect(totals.snapshot()).toEqual([{ remote: 'a.test', stanzasIn: 4, stanzasOut: 0 }])
})

it('remembers a bounded number of domains and adds up the rest under *', () => {
  const totals = new TrafficTotals(2)
  for (const remote of ['a.test', 'b.test', 'c.test', 'd.test']) {
    const stream = fakeStream(remote, 1, 1)
    totals.track(stream.session)
    stream.close()
  }
  expect(totals.snapshot()).toEqual([
    { remote: 'a.test', stanzasIn: 1, stanzasOut: 1 },
    { remote: 'b.test', stanzasIn: 1, stanzasOut: 1 },
    { remote: OTHER_DOMAINS, stanzasIn: 2, stanzasOut: 2 },
  ])
})
