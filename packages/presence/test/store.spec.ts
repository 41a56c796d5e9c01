import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import {
  createPresenceBook,
  memoryPresenceStore,
  PresenceLimitError,
  type PresenceRecord,
  type PresenceStore,
} from '../src/index.js'

const BOT = 'bot@c.test'
const ALICE = 'alice@a.test'

/** A store like a database would be: every call answers later, and writes are counted. */
function slowStore(): PresenceStore & { records: Map<string, PresenceRecord>; writes: string[] } {
  const records = new Map<string, PresenceRecord>()
  const writes: string[] = []
  return {
    records,
    writes,
    async get(user) {
      await sleep(1)
      // A copy, as a database would return: the book must not rely on identity across calls.
      const record = records.get(user)
      return record && structuredClone(record)
    },
    async set(user, record) {
      await sleep(1)
      writes.push(user)
      records.set(user, structuredClone(record))
    },
    async availableUsers() {
      await sleep(1)
      return [...records].filter(([, r]) => r.availability.available).map(([user]) => user)
    },
  }
}

describe('a custom PresenceStore', () => {
  it('holds what the book decides, as plain data under canonical bare JIDs', async () => {
    const store = slowStore()
    const book = createPresenceBook({ resource: 'gateway', store })
    await book.act('Bot@C.test/anything', 'available', { status: 'here' })
    await book.act(BOT, 'subscribe', { contact: 'Alice@A.TEST' })
    expect(store.records.get(BOT)).toEqual({
      availability: { available: true, status: 'here' },
      contacts: [{ jid: ALICE, subscription: 'none', pendingOut: true, pendingIn: false, resources: [] }],
    })
    expect(JSON.parse(JSON.stringify(store.records.get(BOT)))).toEqual(store.records.get(BOT))
    expect(await book.availableUsers()).toEqual([BOT])
  })

  it('is read again for every decision, so a record another process wrote counts', async () => {
    const store = slowStore()
    const book = createPresenceBook({ resource: 'gateway', store })
    store.records.set(BOT, {
      availability: { available: true, show: 'chat' },
      contacts: [{ jid: ALICE, subscription: 'from', pendingOut: false, pendingIn: false, resources: [] }],
    })
    const probe = await book.receive({ from: `${ALICE}/phone`, to: BOT, type: 'probe' })
    expect(probe.replies).toEqual([{ from: `${BOT}/gateway`, to: `${ALICE}/phone`, show: 'chat' }])
  })

  it('is not written when nothing changed', async () => {
    const store = slowStore()
    const book = createPresenceBook({ resource: 'gateway', store })
    await book.receive({ from: ALICE, to: BOT, type: 'subscribed' }) // nobody asked: ignored
    await book.receive({ from: ALICE, to: BOT, type: 'probe' }) // unknown contact: unanswered
    await book.act(BOT, 'available', { contact: ALICE }) // directed: no state
    expect(store.writes).toEqual([])
  })

  it('loses no update when presences for one user arrive together', async () => {
    const store = slowStore()
    const book = createPresenceBook({ resource: 'gateway', store })
    const contacts = ['a@a.test', 'b@b.test', 'c@c.test', 'd@d.test']
    await Promise.all(contacts.map((from) => book.receive({ from, to: BOT, type: 'subscribe' })))
    const roster = await book.roster(BOT)
    expect(roster.contacts.map((c) => c.jid)).toEqual(contacts)
    expect(roster.contacts.every((c) => c.pendingIn)).toBe(true)
  })

  it('a full store fails an action, and an incoming presence is dropped', async () => {
    const full: PresenceStore = {
      get: () => undefined,
      set: () => {
        throw new PresenceLimitError('no room')
      },
      availableUsers: () => [],
    }
    const book = createPresenceBook({ resource: 'gateway', store: full })
    await expect(book.act(BOT, 'available')).rejects.toThrow(PresenceLimitError)
    expect(await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })).toEqual({
      replies: [],
      note: 'dropped: presence state is full',
    })
  })

  it("passes any other store failure on, and the user's next operation still runs", async () => {
    let failing = true
    const records = new Map<string, PresenceRecord>()
    const flaky: PresenceStore = {
      get: (user) => records.get(user),
      set: async (user, record) => {
        if (failing) throw new Error('database down')
        records.set(user, record)
      },
      availableUsers: () => [],
    }
    const book = createPresenceBook({ resource: 'gateway', store: flaky })
    await expect(book.receive({ from: ALICE, to: BOT, type: 'subscribe' })).rejects.toThrow('database down')
    failing = false
    expect((await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })).note).toBe(
      'waiting for approval',
    )
  })
})

describe('memoryPresenceStore', () => {
  it('refuses a user past maxUsers, and frees the room of a record that says nothing', async () => {
    const store = memoryPresenceStore({ maxUsers: 1 })
    const book = createPresenceBook({ resource: 'gateway', store })
    await book.act(BOT, 'available')
    await expect(book.act('other@c.test', 'available')).rejects.toThrow(PresenceLimitError)
    await book.act(BOT, 'unavailable')
    expect(await store.get(BOT)).toBeUndefined()
    await book.act('other@c.test', 'available')
    expect(await book.availableUsers()).toEqual(['other@c.test'])
  })

  it('keeps an unavailable user that has contacts or a status', async () => {
    const store = memoryPresenceStore()
    await store.set(BOT, { availability: { available: false, status: 'gone fishing' }, contacts: [] })
    expect(await store.get(BOT)).toEqual({
      availability: { available: false, status: 'gone fishing' },
      contacts: [],
    })
    expect(await store.availableUsers()).toEqual([])
  })
})
