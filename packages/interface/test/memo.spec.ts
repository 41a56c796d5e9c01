import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
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

describe('memoizeString memory', () => {
  it('keeps no parsed chunk alive behind an input that was sliced from it', () => {
    // A substring in V8 may point into its parent: remembering 200 addresses cut from 256 KB
    // reads would keep 50 MB. The memo keeps copies, so the reads can be collected.
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const canonical = memoizeString((s) => s.toLowerCase(), { generation: 4096, maxInputLength: 256 })
    gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 200; i++) {
      const chunk = `<message from='User${i}@Sender.Example/desk' to='x@y.test'>${'x'.repeat(256 * 1024)}</message>`
      const start = chunk.indexOf("'") + 1
      expect(canonical(chunk.slice(start, chunk.indexOf("'", start)))).toBe(`user${i}@sender.example/desk`)
    }
    gc()
    const grown = process.memoryUsage().heapUsed - before
    expect(grown).toBeLessThan(10 * 1024 * 1024)
  })
})
