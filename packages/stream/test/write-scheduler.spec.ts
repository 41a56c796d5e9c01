import { describe, expect, it } from 'vitest'
import { flushNextTurn } from '../src/write-scheduler.js'

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('flushNextTurn', () => {
  it('runs every stream’s flush on the next turn, in the order they were asked', async () => {
    const ran: string[] = []
    flushNextTurn(() => ran.push('a'))
    flushNextTurn(() => ran.push('b'))
    expect(ran).toEqual([])
    await nextTurn()
    expect(ran).toEqual(['a', 'b'])
  })

  it('leaves a flush asked for while flushing to the turn after', async () => {
    const ran: string[] = []
    flushNextTurn(() => {
      ran.push('first')
      flushNextTurn(() => ran.push('second'))
    })
    await nextTurn()
    expect(ran).toEqual(['first'])
    await nextTurn()
    expect(ran).toEqual(['first', 'second'])
  })

  it('runs the other flushes when one throws, and still reports the error', async () => {
    const ran: string[] = []
    const thrown: unknown[] = []
    const onUncaught = (error: unknown) => thrown.push(error)
    const listeners = process.listeners('uncaughtException')
    process.removeAllListeners('uncaughtException')
    process.on('uncaughtException', onUncaught)
    try {
      flushNextTurn(() => {
        throw new Error('broken stream')
      })
      flushNextTurn(() => ran.push('healthy'))
      await nextTurn()
      await nextTurn()
    } finally {
      process.off('uncaughtException', onUncaught)
      for (const listener of listeners) process.on('uncaughtException', listener)
    }
    expect(ran).toEqual(['healthy'])
    expect(thrown).toHaveLength(1)
    expect((thrown[0] as Error).message).toBe('broken stream')
  })
})
