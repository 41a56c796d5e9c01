import { describe, expect, it } from 'vitest'
import { sampledWarning } from '../src/sampled-warning.js'
import { recordingLogger } from './recording-logger.js'

describe('a sampled warning', () => {
  it('10,000 refusals in a flood write one line, then one per interval with the count left out', () => {
    const { logger, lines } = recordingLogger()
    const warn = sampledWarning(logger, 'refused', 1000)
    for (let i = 0; i < 10_000; i++) warn({ remote: '127.0.0.1' }, i / 10) // 10,000 in one second
    expect(lines).toHaveLength(1)
    warn({ remote: '127.0.0.1' }, 1500)
    expect(lines.map((l) => l.fields)).toEqual([
      { remote: '127.0.0.1' },
      { remote: '127.0.0.1', suppressed: 9999 },
    ])
  })
})
