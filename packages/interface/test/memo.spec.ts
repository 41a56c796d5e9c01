import { describe, expect, it } from 'vitest'
import { memoizeString } from '../src/memo.js'

describe('memoizeString', () => {
  it('computes each input once while it stays in the recent or the older generation', () => {
    const calls: string[] = []
    const upper = memoizeString(
      (s) => {
        calls.push(s)
        return s.toUpperCase()
      },
      { generation: 2, maxInputLength: 10 },
    )
    expect([upper('a'), upper('b'), upper('a'), upper('c'), upper('a'), upper('b')]).toEqual([
      'A',
      'B',
      'A',
      'C',
      'A',
      'B',
    ])
    expect(calls).toEqual(['a', 'b', 'c'])
  })

  it('forgets what fell out of both generations, so memory stays bounded', () => {
    const calls: string[] = []
    const id = memoizeString(
      (s) => {
        calls.push(s)
        return s
      },
      { generation: 2, maxInputLength: 10 },
    )
    for (const s of ['a', 'b', 'c', 'd', 'e', 'f']) id(s)
    id('a')
    expect(calls.filter((s) => s === 'a')).toHaveLength(2)
  })

  it('remembers undefined results too, and never remembers long inputs', () => {
    let count = 0
    const none = memoizeString(
      () => {
        count++
        return undefined
      },
      { generation: 8, maxInputLength: 3 },
    )
    none('bad')
    none('bad')
    none('long!')
    none('long!')
    expect(count).toBe(3)
  })
})
