import { describe, expect, it } from 'vitest'
import {
  type DecisionContext,
  decideAction,
  decideIncoming,
  EMPTY_RECORD,
  type PresenceRecord,
  rosterView,
} from '../src/index.js'

const BOT = 'bot@c.test'
const ALICE = 'alice@a.test'
const context: DecisionContext = { user: BOT, resource: 'gateway', maxContacts: 10, maxResources: 2 }

/** Frozen all the way down: a decision that mutated its input would throw. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

const subscribedToAlice: PresenceRecord = deepFreeze({
  availability: { available: false },
  contacts: [{ jid: ALICE, subscription: 'to', pendingOut: false, pendingIn: false, resources: [] }],
})

describe('decisions are pure', () => {
  it('never change the record they are given', () => {
    const change = decideAction(subscribedToAlice, { action: 'available', status: 'hi' }, context)
    expect(change.send).toEqual([{ from: `${BOT}/gateway`, to: ALICE, type: 'probe' }])
    expect(change.record.availability).toEqual({ available: true, status: 'hi' })
    expect(subscribedToAlice.availability.available).toBe(false)
  })

  it('return the very record when nothing changed', () => {
    const stranger = decideIncoming(
      subscribedToAlice,
      { from: 'eve@d.test', to: BOT, type: 'available' },
      context,
    )
    expect(stranger.record).toBe(subscribedToAlice)
    const directed = decideAction(subscribedToAlice, { action: 'available', contact: 'eve@d.test' }, context)
    expect(directed.record).toBe(subscribedToAlice)
  })

  it('start from EMPTY_RECORD for an unknown user', () => {
    const request = decideIncoming(EMPTY_RECORD, { from: ALICE, to: BOT, type: 'subscribe' }, context)
    expect(rosterView(BOT, request.record).contacts).toEqual([
      {
        jid: ALICE,
        subscription: 'none',
        pendingOut: false,
        pendingIn: true,
        resources: [],
        available: false,
      },
    ])
    expect(EMPTY_RECORD.contacts).toEqual([])
  })
})

describe('incoming addresses', () => {
  it('are compared in canonical form: one contact, one resource, however they are spelt', () => {
    let record = subscribedToAlice
    for (const from of ['Alice@A.test/Phone', 'alice@a.test./Phone']) {
      record = decideIncoming(record, { from, to: BOT, type: 'available', show: 'away' }, context).record
    }
    expect(record.contacts).toEqual([
      { ...subscribedToAlice.contacts[0], resources: [{ jid: 'alice@a.test/Phone', show: 'away' }] },
    ])
  })

  it('ignores a presence from something that is no JID', () => {
    const outcome = decideIncoming(subscribedToAlice, { from: 'a@@b', to: BOT, type: 'subscribe' }, context)
    expect(outcome).toEqual({ record: subscribedToAlice, send: [], note: 'ignored: not a valid address' })
  })

  it('records at most maxResources resources per contact', () => {
    let record = subscribedToAlice
    let note = ''
    for (const resource of ['one', 'two', 'three']) {
      ;({ record, note } = decideIncoming(
        record,
        { from: `${ALICE}/${resource}`, to: BOT, type: 'available' },
        context,
      ))
    }
    expect(note).toMatch(/too many resources/)
    expect(record.contacts[0]!.resources.map((r) => r.jid)).toEqual([`${ALICE}/one`, `${ALICE}/two`])
  })
})
