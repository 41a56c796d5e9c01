import { describe, expect, it } from 'vitest'
import { PresenceBook, PresenceLimitError } from '../src/presence.js'

const BOT = 'bot@c.test'
const ALICE = 'alice@a.test'

function contactOf(book: PresenceBook, user: string, contact: string) {
  return book.roster(user).contacts.find((c) => c.jid === contact)
}

describe('PresenceBook: the user subscribes to a contact', () => {
  it('sends subscribe and waits; subscribed makes it "to"', () => {
    const book = new PresenceBook()
    expect(book.act(BOT, 'subscribe', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'subscribe' },
    ])
    expect(contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', pendingOut: true })

    const outcome = book.receive({ from: ALICE, to: BOT, type: 'subscribed' })
    expect(outcome.replies).toEqual([])
    expect(contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'to', pendingOut: false })
  })

  it('ignores a subscribed nobody asked for (RFC 6121 §3.1.6)', () => {
    const book = new PresenceBook()
    expect(book.receive({ from: ALICE, to: BOT, type: 'subscribed' }).note).toMatch(/ignored/)
    expect(contactOf(book, BOT, ALICE)).toBeUndefined()
  })

  it("keeps the contact's available resources, and forgets them on unavailable", () => {
    const book = new PresenceBook()
    book.act(BOT, 'subscribe', { contact: ALICE })
    book.receive({ from: ALICE, to: BOT, type: 'subscribed' })
    book.receive({ from: `${ALICE}/phone`, to: BOT, type: 'available', show: 'away', status: 'lunch' })
    book.receive({ from: `${ALICE}/laptop`, to: BOT, type: 'available' })
    expect(contactOf(book, BOT, ALICE)).toMatchObject({
      available: true,
      resources: [{ jid: `${ALICE}/phone`, show: 'away', status: 'lunch' }, { jid: `${ALICE}/laptop` }],
    })
    book.receive({ from: `${ALICE}/phone`, to: BOT, type: 'unavailable' })
    expect(contactOf(book, BOT, ALICE)?.resources).toEqual([{ jid: `${ALICE}/laptop` }])
    book.receive({ from: ALICE, to: BOT, type: 'unavailable' })
    expect(contactOf(book, BOT, ALICE)).toMatchObject({ available: false, resources: [] })
  })

  it('unsubscribe ends "to" and forgets their presence; unsubscribed from them does the same', () => {
    const book = new PresenceBook()
    book.act(BOT, 'subscribe', { contact: ALICE })
    book.receive({ from: ALICE, to: BOT, type: 'subscribed' })
    book.receive({ from: `${ALICE}/x`, to: BOT, type: 'available' })
    expect(book.act(BOT, 'unsubscribe', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'unsubscribe' },
    ])
    expect(contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', available: false })

    book.act(BOT, 'subscribe', { contact: ALICE })
    book.receive({ from: ALICE, to: BOT, type: 'subscribed' })
    book.receive({ from: ALICE, to: BOT, type: 'unsubscribed' })
    expect(contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', pendingOut: false })
  })

  it('keeps directed presence of strangers out of the roster', () => {
    const book = new PresenceBook()
    const outcome = book.receive({ from: `${ALICE}/x`, to: BOT, type: 'available' })
    expect(outcome.note).toMatch(/not in the roster/)
    expect(book.roster(BOT).contacts).toEqual([])
  })
})

describe('PresenceBook: a contact subscribes to the user', () => {
  it('records the request until approved; approve sends subscribed, then current presence', () => {
    const book = new PresenceBook()
    book.act(BOT, 'available', { status: 'at your service' })
    const request = book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    expect(request).toEqual({ replies: [], note: 'waiting for approval' })
    expect(contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', pendingIn: true })

    expect(book.act(BOT, 'approve', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'subscribed' },
      { from: `${BOT}/gateway`, to: ALICE, status: 'at your service' },
    ])
    expect(contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'from', pendingIn: false })
  })

  it('approving while unavailable sends only subscribed', () => {
    const book = new PresenceBook()
    book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    expect(book.act(BOT, 'approve', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'subscribed' },
    ])
  })

  it('re-approves a subscriber that asks again without bothering the user (RFC 6121 §3.1.3)', () => {
    const book = new PresenceBook()
    book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    book.act(BOT, 'approve', { contact: ALICE })
    const again = book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    expect(again.replies).toEqual([
      { from: BOT, to: ALICE, type: 'subscribed' },
      { from: `${BOT}/gateway`, to: ALICE, type: 'unavailable' },
    ])
    expect(contactOf(book, BOT, ALICE)?.pendingIn).toBe(false)
  })

  it('deny refuses a pending request with unsubscribed', () => {
    const book = new PresenceBook()
    book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    expect(book.act(BOT, 'deny', { contact: ALICE })).toEqual([
      { from: BOT, to: ALICE, type: 'unsubscribed' },
    ])
    expect(contactOf(book, BOT, ALICE)).toMatchObject({ subscription: 'none', pendingIn: false })
  })

  it('deny of an available user tells the former subscriber it is gone first', () => {
    const book = new PresenceBook()
    book.act(BOT, 'available')
    book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    book.act(BOT, 'approve', { contact: ALICE })
    expect(book.act(BOT, 'deny', { contact: ALICE })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, type: 'unavailable' },
      { from: BOT, to: ALICE, type: 'unsubscribed' },
    ])
  })

  it('an unsubscribe from the contact ends "from"', () => {
    const book = new PresenceBook()
    book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    book.act(BOT, 'approve', { contact: ALICE })
    book.receive({ from: ALICE, to: BOT, type: 'unsubscribe' })
    expect(contactOf(book, BOT, ALICE)?.subscription).toBe('none')
  })
})

describe('PresenceBook: probes', () => {
  it("answers a subscriber's probe with the user's current availability, to the prober's address", () => {
    const book = new PresenceBook()
    book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    book.act(BOT, 'approve', { contact: ALICE })
    const whileAway = book.receive({ from: `${ALICE}/phone`, to: BOT, type: 'probe' })
    expect(whileAway.replies).toEqual([{ from: `${BOT}/gateway`, to: `${ALICE}/phone`, type: 'unavailable' }])
    book.act(BOT, 'available', { show: 'chat' })
    const whileHere = book.receive({ from: ALICE, to: BOT, type: 'probe' })
    expect(whileHere).toEqual({
      replies: [{ from: `${BOT}/gateway`, to: ALICE, show: 'chat' }],
      note: 'probe answered: available',
    })
  })

  it('tells a known non-subscriber unsubscribed, and leaves an unknown prober unanswered', () => {
    const book = new PresenceBook()
    book.act(BOT, 'subscribe', { contact: ALICE })
    expect(book.receive({ from: ALICE, to: BOT, type: 'probe' }).replies).toEqual([
      { from: BOT, to: ALICE, type: 'unsubscribed' },
    ])
    expect(book.receive({ from: 'eve@d.test', to: BOT, type: 'probe' }).replies).toEqual([])
  })
})

describe('PresenceBook: availability', () => {
  it('broadcasts to subscribers only, and probes the contacts it sees when coming online', () => {
    const book = new PresenceBook()
    book.receive({ from: ALICE, to: BOT, type: 'subscribe' })
    book.act(BOT, 'approve', { contact: ALICE }) // alice sees bot
    book.act(BOT, 'subscribe', { contact: 'eve@d.test' })
    book.receive({ from: 'eve@d.test', to: BOT, type: 'subscribed' }) // bot sees eve
    expect(book.act(BOT, 'available', { status: 'hi' })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, status: 'hi' },
      { from: `${BOT}/gateway`, to: 'eve@d.test', type: 'probe' },
    ])
    // Already online: a status change is broadcast, nobody is probed again.
    expect(book.act(BOT, 'available', { show: 'dnd' })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, show: 'dnd' },
    ])
    expect(book.act(BOT, 'unavailable', { status: 'bye' })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, type: 'unavailable', status: 'bye' },
    ])
    expect(book.roster(BOT).presence.available).toBe(false)
  })

  it('sends directed presence to one contact without changing the broadcast state', () => {
    const book = new PresenceBook()
    expect(book.act(BOT, 'available', { contact: ALICE, status: 'psst' })).toEqual([
      { from: `${BOT}/gateway`, to: ALICE, status: 'psst' },
    ])
    expect(book.roster(BOT).presence.available).toBe(false)
  })

  it('lists the users that are available, for the goodbye on shutdown', () => {
    const book = new PresenceBook()
    book.act(BOT, 'available')
    book.act('other@c.test', 'unavailable')
    expect(book.availableUsers()).toEqual([BOT])
  })
})

describe('PresenceBook: limits', () => {
  it('refuses new contacts past the limit: actions throw, inbound requests are dropped', () => {
    const book = new PresenceBook('gateway', { maxContacts: 1 })
    book.act(BOT, 'subscribe', { contact: ALICE })
    expect(() => book.act(BOT, 'subscribe', { contact: 'eve@d.test' })).toThrow(PresenceLimitError)
    expect(book.receive({ from: 'eve@d.test', to: BOT, type: 'subscribe' }).note).toMatch(/full/)
    expect(book.roster(BOT).contacts.map((c) => c.jid)).toEqual([ALICE])
  })

  it('refuses users past the limit', () => {
    const book = new PresenceBook('gateway', { maxUsers: 1 })
    book.act(BOT, 'available')
    expect(() => book.act('other@c.test', 'available')).toThrow(PresenceLimitError)
  })
})
