import { describe, expect, it } from 'vitest'
import { createKeyMaker, dialbackKey, keysEqual } from '../src/index.js'

describe('dialback keys (XEP-0185)', () => {
  it('matches the example of XEP-0185 §3', () => {
    // Receiving xmpp.example.com, originating example.org, stream D60000229F.
    expect(dialbackKey('s3cr3tf0rd14lb4ck', 'xmpp.example.com', 'example.org', 'D60000229F')).toBe(
      '37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643',
    )
  })

  it('matches both keys of XEP-0220 §2.1.1 and §2.2.2', () => {
    expect(dialbackKey('s3cr3tf0rd14lb4ck', 'montague.example', 'capulet.example', 'D60000229F')).toBe(
      'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3',
    )
    expect(dialbackKey('d14lb4ck43v3r', 'capulet.example', 'montague.example', '417GAF25')).toBe(
      '225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d',
    )
  })

  it('binds every input: direction, domains, stream id and secret', () => {
    const keys = createKeyMaker('secret')
    const key = keys('b.test', 'a.test', 'id1')
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(keys('b.test', 'a.test', 'id1')).toBe(key)
    expect(keys('a.test', 'b.test', 'id1')).not.toBe(key)
    expect(keys('b.test', 'a.test', 'id2')).not.toBe(key)
    expect(createKeyMaker('other')('b.test', 'a.test', 'id1')).not.toBe(key)
    // The space delimiter keeps concatenations apart (XEP-0185 §2 note 5).
    expect(keys('a.b', 'c', 'x')).not.toBe(keys('a', 'b.c', 'x'))
  })
})

describe('keysEqual', () => {
  const key = dialbackKey('secret', 'b.test', 'a.test', 'id')

  it('accepts the same key and refuses any other, whatever its length', () => {
    expect(keysEqual(key, key)).toBe(true)
    const flipped = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a')
    expect(keysEqual(flipped, key)).toBe(false)
    expect(keysEqual(key.slice(1), key)).toBe(false)
    expect(keysEqual('', key)).toBe(false)
    expect(keysEqual(`${key}00`, key)).toBe(false)
    expect(keysEqual(key.toUpperCase(), key)).toBe(false)
  })
})
