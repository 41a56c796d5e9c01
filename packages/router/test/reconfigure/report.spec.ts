import { parseConfig } from '@xmpp-federation/config'
import { describe, expect, it } from 'vitest'
import { settingChanges } from '../../src/reconfigure/report.js'
import { swappable } from '../../src/reconfigure/swappable.js'

const base = {
  domains: ['c.test'],
  security: { tls: 'none' as const, requireValidCertificate: false },
  dialback: { secret: 'a'.repeat(24) },
}

describe('reload report: which settings changed', () => {
  it('an identical configuration changes nothing', () => {
    expect(settingChanges(parseConfig(base), parseConfig(structuredClone(base)))).toEqual([])
  })

  it('names each changed setting by path with its old and new value; lists are one value', () => {
    const after = parseConfig({
      ...base,
      policy: { mode: 'denylist', deny: ['x.test'] },
      domains: ['c.test', 'e.test'],
    })
    const changes = settingChanges(parseConfig(base), after)
    expect(changes).toContainEqual({ path: 'domains', before: ['c.test'], after: ['c.test', 'e.test'] })
    expect(changes).toContainEqual({ path: 'policy.deny', before: [], after: ['x.test'] })
    expect(changes.map((c) => c.path)).toEqual([...changes.map((c) => c.path)].sort())
  })

  it('a changed dialback secret shows as two different short fingerprints, never the secret', () => {
    const after = parseConfig({ ...base, dialback: { secret: 'b'.repeat(24) } })
    const [change] = settingChanges(parseConfig(base), after)
    expect(change?.path).toBe('dialback.secret')
    expect(String(change?.before)).toMatch(/^sha256:[0-9a-f]{12}…$/)
    expect(change?.before).not.toEqual(change?.after)
    expect(JSON.stringify(change)).not.toContain('aaaa')
    expect(JSON.stringify(change)).not.toContain('bbbb')
  })

  it('a setting that appears or disappears has an absent side', () => {
    const after = parseConfig({ ...base, node: 'n1' })
    expect(settingChanges(parseConfig(base), after)).toEqual([
      { path: 'node', before: undefined, after: 'n1' },
    ])
  })
})

describe('swappable: one view, a replaceable implementation', () => {
  it('reads and calls go to the implementation swapped in last, with its own `this`', () => {
    class Counter {
      constructor(private readonly step: number) {}
      next(n: number) {
        return n + this.step
      }
    }
    const holder = swappable(new Counter(1))
    const kept = holder.view
    expect(kept.next(1)).toBe(2)
    // Read per stanza: the same bound method each time, not a new function per read.
    expect(kept.next).toBe(kept.next)
    const before = kept.next
    holder.swap(new Counter(10))
    expect(kept.next(1)).toBe(11)
    expect(kept.next).not.toBe(before)
    expect(before(1)).toBe(2) // a method read earlier stays bound to its own implementation
  })

  it('getters are read when a holder reads them, members added later and `in` still reach the implementation', () => {
    let reads = 0
    class Settings {
      get limit() {
        reads += 1
        return 5
      }
    }
    const holder = swappable(new Settings() as Settings & { late?: () => string })
    holder.swap(new Settings())
    expect(reads).toBe(0)
    expect(holder.view.limit).toBe(5)
    expect(reads).toBe(1)
    const late = Object.assign(new Settings(), {
      tag: 'late',
      late(this: { tag: string }) {
        return this.tag
      },
    })
    holder.swap(late)
    expect(holder.view.late?.()).toBe('late')
    expect('late' in holder.view).toBe(true)
    holder.swap(new Settings())
    expect(holder.view.late).toBeUndefined()
    const added = new Settings() as Settings & { extra?: number }
    holder.swap(added)
    added.extra = 7
    expect(holder.view.extra).toBe(7)
  })

  it('reading before the first implementation is a bug that throws', () => {
    const holder = swappable<{ x: number }>()
    expect(() => holder.view.x).toThrow(/before it was built/)
  })
})
