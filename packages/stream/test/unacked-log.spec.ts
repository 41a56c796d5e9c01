import { describe, expect, it } from 'vitest'
import { UnackedLog } from '../src/unacked-log.js'

const stanza = (i: number) => `<message id="m${i}"><body>${'x'.repeat(i % 7)}</body></message>`

/** Writes stanzas `from`..`to` - 1 as one turn's output, the way the session does; returns the output. */
function writeTurn(log: UnackedLog, from: number, to: number, prefix = ''): string {
  let output = prefix
  for (let i = from; i < to; i++) {
    const text = stanza(i)
    const start = output.length
    output += text
    log.push(text, start, { expiresAt: 10_000 + i })
  }
  log.sealTurn(output)
  return output
}

const ids = (log: UnackedLog) => log.entries().map((entry) => entry.stanza.attrs.id)

describe('UnackedLog', () => {
  it('gives back each stanza of a sealed turn, with its tracking, in order', () => {
    const log = new UnackedLog()
    // Other writes of the turn (an <r/>) sit before and between the stanzas.
    writeTurn(log, 0, 3, "<r xmlns='urn:xmpp:sm:3'/>")
    writeTurn(log, 3, 5)
    expect(ids(log)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
    expect(log.entries().map((entry) => entry.stanza.toString())).toEqual(
      [0, 1, 2, 3, 4].map((i) => stanza(i).replace(/<body><\/body>/, '<body/>')),
    )
    expect(log.entries().map((entry) => entry.expiresAt)).toEqual([10_000, 10_001, 10_002, 10_003, 10_004])
    expect(log.length).toBe(5)
    expect(log.size).toBe([0, 1, 2, 3, 4].reduce((sum, i) => sum + stanza(i).length, 0))
  })

  it('keeps the text of a stanza written outside a turn, and of one not sealed yet', () => {
    const log = new UnackedLog()
    log.push(stanza(0), -1, undefined)
    writeTurn(log, 1, 2)
    log.push(stanza(2), 0, undefined)
    expect(ids(log)).toEqual(['m0', 'm1', 'm2'])
    expect(log.entries()[0]?.expiresAt).toBeUndefined()
  })

  it('tells receipts in order as acknowledgements arrive, and forgets those stanzas', () => {
    const log = new UnackedLog()
    const told: number[] = []
    let output = ''
    for (let i = 0; i < 4; i++) {
      const text = stanza(i)
      log.push(text, output.length, i % 2 === 0 ? { receipt: { acked: () => told.push(i) } } : undefined)
      output += text
    }
    log.sealTurn(output)
    log.shift(3)
    expect(told).toEqual([0, 2])
    expect(ids(log)).toEqual(['m3'])
    expect(log.size).toBe(stanza(3).length)
    log.shift(1)
    expect(log.length).toBe(0)
    expect(log.size).toBe(0)
  })

  it('stays correct across compactions of a long-lived stream', () => {
    const log = new UnackedLog()
    let next = 0
    let oldest = 0
    // Turns of 50 stanzas, acknowledged 37 at a time: the front is cut off many times.
    for (let turn = 0; turn < 200; turn++) {
      writeTurn(log, next, next + 50)
      next += 50
      const count = Math.min(37, log.length)
      log.shift(count)
      oldest += count
    }
    expect(log.length).toBe(next - oldest)
    const left = ids(log)
    expect(left[0]).toBe(`m${oldest}`)
    expect(left.at(-1)).toBe(`m${next - 1}`)
    expect(left).toEqual(Array.from({ length: next - oldest }, (_, i) => `m${oldest + i}`))
    // What is held is the stanzas still unacknowledged (and at most as many acknowledged
    // slots, or 1,024), not the whole history of 10,000.
    const slots = (log as unknown as { texts: string[] }).texts.length
    expect(slots).toBeLessThanOrEqual(Math.max(2 * log.length, log.length + 1024) + 50)
  })

  it('lets go of a turn\u2019s output once every stanza in it is acknowledged', () => {
    const log = new UnackedLog()
    writeTurn(log, 0, 3)
    log.shift(3)
    writeTurn(log, 3, 4)
    const texts = (log as unknown as { texts: string[] }).texts
    // The acknowledged slots no longer point at the first turn's output.
    expect(texts.slice(0, 3)).toEqual(['', '', ''])
  })

  it('does not hold a turn made mostly of other writes for its stanzas (a peer flooding <r/>)', () => {
    const log = new UnackedLog()
    // Each turn: one stanza, then 80,000 characters of <a/> answers the peer asked for.
    const answers = "<a xmlns='urn:xmpp:sm:3' h='0'/>".repeat(2500)
    for (let i = 0; i < 1000; i++) {
      const text = stanza(i)
      log.push(text, 0, undefined)
      log.sealTurn(text + answers)
    }
    expect(ids(log)).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`))
    // Distinct strings held: the stanzas' own texts, not 1,000 turns of 80 KB each.
    const texts = (log as unknown as { texts: string[] }).texts
    const held = [...new Set(texts)].reduce((sum, text) => sum + text.length, 0)
    expect(held).toBeLessThanOrEqual(2 * log.size)
  })

  it('forgets everything on clear', () => {
    const log = new UnackedLog()
    writeTurn(log, 0, 3)
    log.clear()
    expect(log.length).toBe(0)
    expect(log.size).toBe(0)
    expect(log.entries()).toEqual([])
    writeTurn(log, 3, 5)
    expect(ids(log)).toEqual(['m3', 'm4'])
  })
})
