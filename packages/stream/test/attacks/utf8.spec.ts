import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, type SessionMode, startSessionHarness } from '../../fuzz/session-target.js'
import { bytes, DIALBACK, expectStreamError, HEADER, message } from './attack.js'

// RFC 6120 §11.6: UTF-8 only. Invalid sequences end the stream; valid characters cut across TCP
// segments are put back together, never corrupted (ltx decoded each chunk on its own).
describe('UTF-8', () => {
  let harness: SessionHarness
  beforeAll(async () => {
    harness = await startSessionHarness()
  })
  afterAll(async () => {
    await harness?.close()
  })

  const invalid: [string, number[]][] = [
    ['an overlong NUL (C0 80)', [0xc0, 0x80]],
    ['an overlong slash (E0 80 AF)', [0xe0, 0x80, 0xaf]],
    ['a UTF-16 surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['a stray continuation byte (80)', [0x80]],
    ['a truncated sequence (E2 82) before markup', [0xe2, 0x82, 0x3c]],
    ['0xFF', [0xff]],
  ]
  for (const mode of ['clear', 'tls'] as SessionMode[]) {
    for (const [name, sequence] of invalid) {
      it(`${mode}: ${name} in a message body is not-well-formed`, async () => {
        const bad = Buffer.concat([
          Buffer.from("<message from='bea@b.test' to='bob@c.test'><body>"),
          Buffer.from(sequence),
          Buffer.from('</body></message>'),
        ])
        expectStreamError(await harness.run(mode, bytes(HEADER + DIALBACK, bad), false), 'not-well-formed')
      })
    }
  }

  it('rejects invalid UTF-8 in the stream header itself', async () => {
    const header = Buffer.concat([Buffer.from(HEADER.slice(0, -1)), Buffer.from(" id='\xff'>", 'latin1')])
    expectStreamError(await harness.run('clear', [header], false), 'not-well-formed')
  })

  const text = 'é中😀'
  for (const mode of ['clear', 'tls'] as SessionMode[]) {
    it(`${mode}: '${text}' cut at every byte offset across two TCP writes arrives intact`, async ({
      task,
    }) => {
      const stanza = Buffer.from(message('u', text))
      const start = stanza.indexOf(Buffer.from(text))
      const end = start + Buffer.byteLength(text)
      let runs = 0
      for (let cut = start + 1; cut < end; cut++) {
        const outcome = await harness.run(
          mode,
          [Buffer.from(HEADER + DIALBACK), stanza.subarray(0, cut), stanza.subarray(cut)],
          false,
        )
        expect(outcome.problems).toEqual([])
        expect(outcome.delivered).toHaveLength(1)
        expect(outcome.delivered[0]).toContain(`<body>${text}</body>`)
        runs++
      }
      report(task, { outcome: `${runs} cuts, every one delivered intact`, counts: { cuts: runs } })
    })
  }
})
