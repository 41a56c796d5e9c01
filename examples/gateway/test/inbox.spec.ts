import { describe, expect, it } from 'vitest'
import { Inbox, type InboxEntry, type InboxItem } from '../src/inbox.js'

const message = (to: string, body: string): InboxEntry => ({
  kind: 'message',
  from: 'alice@a.test/phone',
  to,
  id: undefined,
  type: 'chat',
  body,
})

describe('Inbox', () => {
  it('numbers items in arrival order and lists them oldest first', () => {
    const inbox = new Inbox()
    inbox.add(message('bot@c.test', 'one'))
    inbox.add(message('bot@c.test', 'two'))
    const items = inbox.list()
    expect(items.map((i) => [i.seq, i.kind === 'message' && i.body])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ])
    expect(Date.parse(items[0]!.at)).not.toBeNaN()
  })

  it('is bounded: past its capacity the oldest items go, numbering goes on', () => {
    const inbox = new Inbox(3)
    for (let i = 1; i <= 5; i++) inbox.add(message('bot@c.test', `m${i}`))
    expect(inbox.list().map((i) => i.seq)).toEqual([3, 4, 5])
    expect(inbox.latestSeq).toBe(5)
  })

  it('filters by sequence number, by local user (bare, resources ignored) and keeps the newest under a limit', () => {
    const inbox = new Inbox()
    inbox.add(message('bot@c.test', 'a'))
    inbox.add(message('other@c.test', 'b'))
    inbox.add(message('bot@c.test/gateway', 'c'))
    inbox.add(message('bot@c.test', 'd'))
    expect(inbox.list({ since: 2 }).map((i) => i.seq)).toEqual([3, 4])
    expect(inbox.list({ user: 'bot@c.test' }).map((i) => i.seq)).toEqual([1, 3, 4])
    expect(inbox.list({ user: 'bot@c.test', limit: 2 }).map((i) => i.seq)).toEqual([3, 4])
  })

  it('tells subscribers about each new item until they unsubscribe', () => {
    const inbox = new Inbox()
    const seen: InboxItem[] = []
    const unsubscribe = inbox.subscribe((item) => seen.push(item))
    inbox.add(message('bot@c.test', 'x'))
    unsubscribe()
    inbox.add(message('bot@c.test', 'y'))
    expect(seen.map((i) => i.seq)).toEqual([1])
  })
})
