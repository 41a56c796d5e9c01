import { describe, expect, it } from 'vitest'
import { createAddressThrottle } from '../src/index.js'
import { recordingLogger } from './recording-logger.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('createAddressThrottle', () => {
  it('takes the burst, then refuses, and only that address', () => {
    const throttle = createAddressThrottle({ perSecond: 1, burst: 3 })
    const answers = Array.from({ length: 5 }, () => throttle.admit('192.0.2.1'))
    expect(answers).toEqual([true, true, true, false, false])
    expect(throttle.admit('192.0.2.2')).toBe(true)
    expect(throttle.throttled()).toEqual([
      { address: '192.0.2.1', refused: 2, since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ])
  })

  it('warns once when an address starts being refused and sums up once when it stops', async () => {
    const { logger, lines } = recordingLogger()
    const throttle = createAddressThrottle({ perSecond: 50, burst: 2, logger })
    for (let i = 0; i < 100; i++) throttle.admit('192.0.2.1')
    expect(lines.map((l) => l.level)).toEqual(['warn'])
    await sleep(60) // the bucket is full again
    expect(throttle.throttled()).toEqual([])
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info'])
    expect(lines[1]!.fields).toMatchObject({ remote: '192.0.2.1', refused: 98, admitted: 0 })
  })

  it('forgets idle addresses, and never tracks more than maxAddresses', async () => {
    const throttle = createAddressThrottle({ perSecond: 1000, burst: 1, maxAddresses: 100 })
    for (let i = 0; i < 50; i++) throttle.admit(`192.0.2.${i}`)
    expect(throttle.tracked).toBe(50)
    await sleep(10) // every bucket refilled: nothing left worth keeping
    throttle.admit('198.51.100.1')
    expect(throttle.tracked).toBe(1)
    for (let i = 0; i < 10_000; i++) throttle.admit(`10.0.${i >> 8}.${i & 255}`)
    expect(throttle.tracked).toBeLessThanOrEqual(100)
  })

  it('ends the episode of an address it has to forget, with its summary', () => {
    const { logger, lines } = recordingLogger()
    const throttle = createAddressThrottle({ perSecond: 0.001, burst: 1, maxAddresses: 2, logger })
    throttle.admit('192.0.2.1')
    expect(throttle.admit('192.0.2.1')).toBe(false)
    throttle.admit('192.0.2.2')
    throttle.admit('192.0.2.3')
    expect(throttle.throttled()).toEqual([])
    expect(lines.map((l) => [l.level, l.fields?.remote])).toEqual([
      ['warn', '192.0.2.1'],
      ['info', '192.0.2.1'],
    ])
  })

  it('refuses a rate that is not positive', () => {
    for (const perSecond of [0, -1, Number.NaN])
      expect(() => createAddressThrottle({ perSecond })).toThrow(RangeError)
  })

  it('Infinity turns it off', () => {
    const throttle = createAddressThrottle({ perSecond: Number.POSITIVE_INFINITY })
    for (let i = 0; i < 1000; i++) expect(throttle.admit('192.0.2.1')).toBe(true)
    expect(throttle.throttled()).toEqual([])
  })
})
