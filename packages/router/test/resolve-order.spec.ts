import { describe, expect, it } from 'vitest'
import { orderByPriorityAndWeight } from '../src/resolve/index.js'
import { randomSequence, seededRandom } from './resolve-fake-dns.js'

const record = (id: string, priority: number, weight: number) => ({ id, priority, weight })
const ids = (records: Array<{ id: string }>) => records.map((r) => r.id)

describe('orderByPriorityAndWeight (RFC 2782)', () => {
  it('orders by ascending priority whatever the input order', () => {
    const records = [record('c', 30, 0), record('a', 10, 0), record('b', 20, 0)]
    expect(ids(orderByPriorityAndWeight(records, Math.random))).toEqual(['a', 'b', 'c'])
  })

  // One priority, weights a=10, b=20, z=0. Weight 0 goes to the front: [z, a, b],
  // running sums 0, 10, 30; the random number is a uniform integer in [0, 30],
  // i.e. floor(random() * 31); the first record whose running sum is >= it wins.
  const group = [record('a', 1, 10), record('b', 1, 20), record('z', 1, 0)]

  it('picks the weight-0 record first when the number drawn is 0', () => {
    // 0 -> z; then [a, b] sum 30: floor(0.9 * 31) = 27 -> b (running 10, 30); then a.
    expect(ids(orderByPriorityAndWeight(group, randomSequence(0, 0.9, 0)))).toEqual(['z', 'b', 'a'])
  })

  it('picks the first record whose running sum reaches the number drawn', () => {
    // floor(0.5 * 31) = 15 -> b; then [z, a] sum 10: floor(0.05 * 11) = 0 -> z; then a.
    expect(ids(orderByPriorityAndWeight(group, randomSequence(0.5, 0.05, 0)))).toEqual(['b', 'z', 'a'])
  })

  it('uses >=: a number equal to a running sum selects that record', () => {
    // floor((10.5 / 31) * 31) = 10 = running sum of a -> a; then [z, b] sum 20: 1 -> b.
    expect(ids(orderByPriorityAndWeight(group, randomSequence(10.5 / 31, 1 / 21, 0)))).toEqual([
      'a',
      'b',
      'z',
    ])
    // 11 is past a's 10 -> b.
    expect(ids(orderByPriorityAndWeight(group, randomSequence(11.5 / 31, 0, 0)))[0]).toBe('b')
  })

  it('draws within each priority separately', () => {
    const records = [record('p2-x', 2, 1), record('p1-a', 1, 1), record('p2-y', 2, 1), record('p1-b', 1, 1)]
    // p1: [a, b] sum 2, floor(0.9 * 3) = 2 -> b, then a. p2: [x, y], floor(0 * 3) = 0 -> x, then y.
    expect(ids(orderByPriorityAndWeight(records, randomSequence(0.9, 0, 0, 0)))).toEqual([
      'p1-b',
      'p1-a',
      'p2-x',
      'p2-y',
    ])
  })

  it('keeps the given order among records that all weigh 0', () => {
    const records = [record('a', 5, 0), record('b', 5, 0), record('c', 5, 0)]
    expect(ids(orderByPriorityAndWeight(records, () => 0.99))).toEqual(['a', 'b', 'c'])
  })

  it('survives a random() that returns 1 or less than 0', () => {
    expect(ids(orderByPriorityAndWeight(group, () => 1))).toHaveLength(3)
    expect(ids(orderByPriorityAndWeight(group, () => -1))).toEqual(['z', 'a', 'b'])
  })

  it('gives a weight-0 record the first place with probability 1/(sum+1)', () => {
    const records = [record('heavy', 0, 9), record('zero', 0, 0)]
    const random = seededRandom(2782)
    const runs = 20_000
    let zeroFirst = 0
    for (let i = 0; i < runs; i++)
      if (orderByPriorityAndWeight(records, random)[0]!.id === 'zero') zeroFirst++
    expect(Math.abs(zeroFirst / runs - 1 / 10)).toBeLessThan(0.01)
  })

  it('spreads first places by weight, as the inclusive range of RFC 2782 does', () => {
    // Sum 4, numbers 0..4: light wins on 0 and 1 (2/5), heavy on 2, 3, 4 (3/5).
    // The inclusive range gives the first record one extra share; RFC 2782 says so.
    const records = [record('light', 0, 1), record('heavy', 0, 3)]
    const random = seededRandom(6120)
    const runs = 20_000
    let lightFirst = 0
    for (let i = 0; i < runs; i++)
      if (orderByPriorityAndWeight(records, random)[0]!.id === 'light') lightFirst++
    expect(Math.abs(lightFirst / runs - 2 / 5)).toBeLessThan(0.015)
  })

  it('returns every record once and leaves the input alone', () => {
    const records = [record('a', 1, 3), record('b', 0, 0), record('c', 1, 0), record('d', 0, 7)]
    const copy = structuredClone(records)
    const ordered = orderByPriorityAndWeight(records, seededRandom(1))
    expect(ids(ordered).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(records).toEqual(copy)
  })
})
