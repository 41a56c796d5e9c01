import { describe, expect, it } from 'vitest'
import { createInbox } from '../src/inbox.js'

describe('createInbox', () => {
  it('hands out an item that arrived before anyone waited', async () => {
    const inbox = createInbox<number>()
    inbox.push(1)
    inbox.push(2)
    expect(await inbox.next((n) => n === 2, 100)).toBe(2)
    expect(await inbox.next(() => true, 100)).toBe(1)
  })

  it('resolves a waiter when a matching item arrives later, and buffers the rest', async () => {
    const inbox = createInbox<string>()
    const waiting = inbox.next((s) => s.startsWith('b'), 1000)
    inbox.push('apple')
    inbox.push('banana')
    expect(await waiting).toBe('banana')
    expect(await inbox.next(() => true, 100)).toBe('apple')
  })

  it('gives each item to one waiter only', async () => {
    const inbox = createInbox<number>()
    const first = inbox.next(() => true, 1000)
    const second = inbox.next(() => true, 1000)
    inbox.push(1)
    inbox.push(2)
    expect([await first, await second]).toEqual([1, 2])
  })

  it('times out naming what was left unclaimed', async () => {
    const inbox = createInbox<string>({ describe: (s) => `<${s}>` })
    inbox.push('noise')
    await expect(inbox.next((s) => s === 'signal', 20)).rejects.toThrow(/within 20 ms.*<noise>/)
  })

  it('fails current and later waits once closed, but still serves the buffer', async () => {
    const inbox = createInbox<number>()
    const waiting = inbox.next((n) => n > 10, 1000)
    inbox.push(1)
    inbox.close('went offline')
    await expect(waiting).rejects.toThrow('went offline')
    expect(await inbox.next(() => true, 100)).toBe(1)
    await expect(inbox.next(() => true, 100)).rejects.toThrow('went offline')
  })

  it('fails only the wait whose predicate throws', async () => {
    const inbox = createInbox<number>()
    const broken = inbox.next(() => {
      throw new Error('bad predicate')
    }, 1000)
    const fine = inbox.next((n) => n === 1, 1000)
    inbox.push(1)
    await expect(broken).rejects.toThrow('bad predicate')
    expect(await fine).toBe(1)
  })

  it('drops the oldest items beyond its capacity', async () => {
    const inbox = createInbox<number>({ capacity: 2 })
    for (const n of [1, 2, 3]) inbox.push(n)
    await expect(inbox.next((n) => n === 1, 10)).rejects.toThrow()
    expect(await inbox.next(() => true, 10)).toBe(2)
  })
})
