import { describe, expect, it } from 'vitest'
import {
  createPresenceBook,
  memoryPresenceStore,
  type PresenceBook,
  PresenceLimitError,
} from '../src/index.js'

const BOT = 'bot@c.test'
const ALICE = 'alice@a.test'

async function contactOf(book: PresenceBook, user: string, contact: string) {
  return (await book.roster(user)).contacts.find((c) => c.jid === contact)
}

function newBook(): PresenceBook {
  return createPresenceBook({ resource: 'gateway' })
}

describe('PresenceBook: the user subscribes to a contact', async () => {
  it('sends subscribe and waits; subscribed makes it "to"', async () => {
    const book = newBook()
    expect(await book.act(BOT, 'subscribe', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'subscribe' },
    ])
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', pendingOut: true })

    const outcome = await book.receive({ from: ALICE, to: BOT, type: 'subscribed' })
    expect(outcome.replies).toEqual([])
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'to', pendingOut: false })
  })

  it('ignores a subscribed nobody asked for (RFC 6121 §3.1.6)', async () => {
    const book = newBook()
    expect((await book.receive({ from: ALICE, to: BOT, type: 'subscribed' })).note).toMatch(/ignored/)
    expect(await contactOf(book, BOT, ALICE)).toBeUndefined()
  })

  it("keeps the contact's available resources, and forgets them on unavailable", async () => {
    const book = newBook()
    await book.act(BOT, 'subscribe', { contact: ALICE })
    await book.receive({ from: ALICE, to: BOT, type: 'subscribed' })
    await book.receive({ from: `${ALICE}/phone`, to: BOT, type: 'available', show: 'away', status: 'lunch' })
    await book.receive({ from: `${ALICE}/laptop`, to: BOT, type: 'available' })
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({
      available: true,
      resources: [{ jid: `${ALICE}/phone`, show: 'away', status: 'lunch' }, { jid: `${ALICE}/laptop` }],
    })
    await book.receive({ from: `${ALICE}/phone`, to: BOT, type: 'unavailable' })
    expect((await contactOf(book, BOT, ALICE))?.resources).toEqual([{ jid: `${ALICE}/laptop` }])
    await book.receive({ from: ALICE, to: BOT, type: 'unavailable' })
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({ available: false, resources: [] })
  })

  it('unsubscribe ends "to" and forgets their presence; unsubscribed from them does the same', async () => {
    const book = newBook()
    await book.act(BOT, 'subscribe', { contact: ALICE })
    await book.receive({ from: ALICE, to: BOT, type: 'subscribed' })
    await book.receive({ from: `${ALICE}/x`, to: BOT, type: 'available' })
    expect(await book.act(BOT, 'unsubscribe', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'unsubscribe' },
    ])
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', available: false })

    await book.act(BOT, 'subscribe', { contact: ALICE })
    await book.receive({ from: ALICE, to: BOT, type: 'subscribed' })
    await book.receive({ from: ALICE, to: BOT, type: 'unsubscribed' })
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', pendingOut: false })
  })

  it('keeps directed presence of strangers out of the roster', async () => {
    const book = newBook()
    const outcome = await book.receive({ from: `${ALICE}/x`, to: BOT, type: 'available' })
    expect(outcome.note).toMatch(/not in the roster/)
    expect((await book.roster(BOT)).contacts).toEqual([])
  })
})

describe('PresenceBook: a contact subscribes to the user', async () => {
  it('records the request until approved; approve sends subscribed, then current presence', async () => {
    const book = newBook()
    await book.act(BOT, 'available', { status: 'at your service' })
    const request = await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    expect(request).toEqual({ replies: [], note: 'waiting for approval' })
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', pendingIn: true })

    expect(await book.act(BOT, 'approve', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'subscribed' },
      { from: `${BOT}/gateway`, to: ALICE, status: 'at your service' },
    ])
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'from', pendingIn: false })
  })

  it('approving while unavailable sends only subscribed', async () => {
    const book = newBook()
    await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    expect(await book.act(BOT, 'approve', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'subscribed' },
    ])
  })

  it('re-approves a subscriber that asks again without bothering the user (RFC 6121 §3.1.3)', async () => {
    const book = newBook()
    await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    await book.act(BOT, 'approve', { contact: ALICE })
    const again = await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    expect(again.replies).toEqual([
      { from: BOT, to: ALICE, type: 'subscribed' },
      { from: `${BOT}/gateway`, to: ALICE, type: 'unavailable' },
    ])
    expect((await contactOf(book, BOT, ALICE))?.pendingIn).toBe(false)
  })

  it('deny refuses a pending request with unsubscribed', async () => {
    const book = newBook()
    await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    expect(await book.act(BOT, 'deny', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'unsubscribed' },
    ])
    expect(await contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', pendingIn: false })
  })

  it('deny of an available user tells the former subscriber it is gone first', async () => {
    const book = newBook()
    await book.act(BOT, 'available')
    await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    await book.act(BOT, 'approve', { contact: ALICE })
    expect(await book.act(BOT, 'deny', { contact: ALICE })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, type: 'unavailable' },
      { from: BOT, to: ALICE, type: 'unsubscribed' },
    ])
  })

  it('an unsubscribe from the contact ends "from"', async () => {
    const book = newBook()
    await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    await book.act(BOT, 'approve', { contact: ALICE })
    await book.receive({ from: ALICE, to: BOT, type: 'unsubscribe' })
    expect((await contactOf(book, BOT, ALICE))?.subscription).toBe('none')
  })
})

describe('PresenceBook: probes', async () => {
  it("answers a subscriber's probe with the user's current availability, to the prober's address", async () => {
    const book = newBook()
    await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    await book.act(BOT, 'approve', { contact: ALICE })
    const whileAway = await book.receive({ from: `${ALICE}/phone`, to: BOT, type: 'probe' })
    expect(whileAway.replies).toEqual([{ from: `${BOT}/gateway`, to: `${ALICE}/phone`, type: 'unavailable' }])
    await book.act(BOT, 'available', { show: 'chat' })
    const whileHere = await book.receive({ from: ALICE, to: BOT, type: 'probe' })
    expect(whileHere).toEqual({
      replies: [{ from: `${BOT}/gateway`, to: ALICE, show: 'chat' }],
      note: 'probe answered: available',
    })
  })

  it('tells a known non-subscriber unsubscribed, and leaves an unknown prober unanswered', async () => {
    const book = newBook()
    await book.act(BOT, 'subscribe', { contact: ALICE })
    expect((await book.receive({ from: ALICE, to: BOT, type: 'probe' })).replies).toEqual([
      { from: BOT, to: ALICE, type: 'unsubscribed' },
    ])
    expect((await book.receive({ from: 'eve@d.test', to: BOT, type: 'probe' })).replies).toEqual([])
  })
})

describe('PresenceBook: availability', async () => {
  it('broadcasts to subscribers only, and probes the contacts it sees when coming online', async () => {
    const book = newBook()
    await book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    await book.act(BOT, 'approve', { contact: ALICE }) // alice sees bot
    await book.act(BOT, 'subscribe', { contact: 'eve@d.test' })
    await book.receive({ from: 'eve@d.test', to: BOT, type: 'subscribed' }) // bot sees eve
    expect(await book.act(BOT, 'available', { status: 'hi' })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, status: 'hi' },
      { from: `${BOT}/gateway`, to: 'eve@d.test', type: 'probe' },
    ])
    // Already online: a status change is broadcast, nobody is probed again.
    expect(await book.act(BOT, 'available', { show: 'dnd' })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, show: 'dnd' },
    ])
    expect(await book.act(BOT, 'unavailable', { status: 'bye' })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, type: 'unavailable', status: 'bye' },
    ])
    expect((await book.roster(BOT)).presence.available).toBe(false)
  })

  it('sends directed presence to one contact without changing the broadcast state', async () => {
    const book = newBook()
    expect(await book.act(BOT, 'available', { contact: ALICE, status: 'psst' })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, status: 'psst' },
    ])
    expect((await book.roster(BOT)).presence.available).toBe(false)
    expect(await book.act(BOT, 'unavailable', { contact: `${ALICE}/Phone` })).toEqual([
      { from: `${BOT}/gateway`, to: `${ALICE}/Phone`, type: 'unavailable' },
    ])
  })

  it('lists the users that are available, for the goodbye on shutdown', async () => {
    const book = newBook()
    await book.act(BOT, 'available')
    await book.act('other@c.test', 'unavailable')
    expect(await book.availableUsers()).toEqual([BOT])
  })
})

describe('PresenceBook: limits', async () => {
  it('refuses new contacts past the limit: actions throw, inbound requests are dropped', async () => {
    const book = createPresenceBook({ resource: 'gateway', maxContacts: 1 })
    await book.act(BOT, 'subscribe', { contact: ALICE })
    await expect(book.act(BOT, 'subscribe', { contact: 'eve@d.test' })).rejects.toThrow(PresenceLimitError)
    expect((await book.receive({ from: 'eve@d.test', to: BOT, type: 'subscribe' })).note).toMatch(/full/)
    expect((await book.roster(BOT)).contacts.map((c) => c.jid)).toEqual([ALICE])
  })

  it('refuses users past the limit', async () => {
    const book = createPresenceBook({ resource: 'gateway', store: memoryPresenceStore({ maxUsers: 1 }) })
    await book.act(BOT, 'available')
    await expect(book.act('other@c.test', 'available')).rejects.toThrow(PresenceLimitError)
  })
})

describe('PresenceBook: addresses', () => {
  it('rejects a malformed user or contact, and a subscription action without a contact', async () => {
    const book = newBook()
    await expect(book.act('not an address', 'available')).rejects.toThrow(TypeError)
    await expect(book.act(BOT, 'subscribe', { contact: 'a@@b' })).rejects.toThrow(/contact/)
    await expect(book.act(BOT, 'approve')).rejects.toThrow('approve needs a contact')
    await expect(book.roster('')).rejects.toThrow(TypeError)
  })

  it('ignores a presence addressed to something that is no JID', async () => {
    const book = newBook()
    expect(await book.receive({ from: ALICE, to: '@c.test', type: 'subscribe' })).toEqual({
      replies: [],
      note: 'ignored: not a valid address',
    })
  })

  it('keys users by canonical bare JID: a full or differently spelt address is the same user', async () => {
    const book = newBook()
    await book.act('BOT@c.test/laptop', 'available', { show: 'chat' })
    expect((await book.roster(BOT)).presence).toEqual({ available: true, show: 'chat' })
    const request = await book.receive({ from: ALICE, to: 'Bot@C.TEST.', type: 'subscribe' })
    expect(request.note).toBe('waiting for approval')
    expect((await book.roster(BOT)).contacts.map((c) => c.jid)).toEqual([ALICE])
  })
})
