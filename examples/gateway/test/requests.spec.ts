import { describe, expect, it } from 'vitest'
import { parseMessageRequest, parsePingRequest, parsePresenceRequest } from '../src/api-requests.js'
import { statusForCondition } from '../src/delivery-status.js'
import { parseJid } from '../src/jid.js'

const LOCAL = ['c.test']

describe('request bodies', () => {
  it('accepts a message and defaults its type to chat', () => {
    expect(parseMessageRequest({ from: 'Bot@C.test', to: 'alice@a.test', body: 'hi' }, LOCAL)).toEqual({
      from: 'bot@c.test',
      to: 'alice@a.test',
      body: 'hi',
      type: 'chat',
    })
  })

  it.each([
    [{ to: 'alice@a.test', body: 'hi' }, /from: is required/],
    [{ from: 'bot@x.test', to: 'alice@a.test', body: 'hi' }, /x.test is not a domain of this gateway/],
    [{ from: 'c.test', to: 'alice@a.test', body: 'hi' }, /needs a user/],
    [{ from: 'bot@c.test', to: 'a@b@c', body: 'hi' }, /not a valid XMPP address/],
    [{ from: 'bot@c.test', to: 'alice@a.test', body: '' }, /body: must be a string/],
    [{ from: 'bot@c.test', to: 'alice@a.test', body: 'hi', type: 'groupchat' }, /type: must be one of/],
    [{ from: 'bot@c.test', to: 'alice@a.test', bdy: 'hi' }, /bdy: unknown field/],
  ])('refuses %j', (body, message) => {
    expect(() => parseMessageRequest(body, LOCAL)).toThrow(message)
  })

  it('accepts presence actions; availability may go to every subscriber', () => {
    expect(
      parsePresenceRequest({ from: 'bot@c.test', to: 'alice@a.test/phone', action: 'subscribe' }, LOCAL),
    ).toEqual({
      from: 'bot@c.test',
      to: 'alice@a.test',
      action: 'subscribe',
      show: undefined,
      status: undefined,
    })
    expect(
      parsePresenceRequest({ from: 'bot@c.test', action: 'available', show: 'chat', status: 'hi' }, LOCAL),
    ).toEqual({ from: 'bot@c.test', to: undefined, action: 'available', show: 'chat', status: 'hi' })
  })

  it.each([
    [{ from: 'bot@c.test', action: 'subscribe' }, /to: is required/],
    [{ from: 'bot@c.test', to: 'alice@a.test', action: 'befriend' }, /action: must be one of/],
    [{ from: 'bot@c.test', action: 'unavailable', show: 'away' }, /show: only goes with action available/],
    [{ from: 'bot@c.test', to: 'bot@c.test', action: 'subscribe' }, /own contact/],
  ])('refuses presence %j', (body, message) => {
    expect(() => parsePresenceRequest(body, LOCAL)).toThrow(message)
  })

  it('pings go from a local domain to a domain', () => {
    expect(parsePingRequest({ from: 'c.test', to: 'A.test' }, LOCAL)).toEqual({
      from: 'c.test',
      to: 'a.test',
    })
    expect(() => parsePingRequest({ from: 'c.test', to: 'alice@a.test' }, LOCAL)).toThrow(/must be a domain/)
    expect(() => parsePingRequest({ from: 'a.test', to: 'c.test' }, LOCAL)).toThrow(
      /not a domain of this gateway/,
    )
  })
})

describe('addresses', () => {
  it('parses and normalises JIDs, refusing what is none', () => {
    expect(parseJid('Alice@A.Test/Phone')).toEqual({ local: 'alice', domain: 'a.test', resource: 'Phone' })
    expect(parseJid('a.test')).toEqual({ local: undefined, domain: 'a.test', resource: undefined })
    for (const bad of ['', '@a.test', 'a@b@c', 'al ice@a.test', 'alice@', 'alice@a.test/', 'x@127.0.0.1']) {
      expect(parseJid(bad), bad).toBeUndefined()
    }
  })
})

describe('HTTP status of a delivery failure', () => {
  it.each([
    ['remote-server-not-found', 502],
    ['remote-server-timeout', 504],
    ['policy-violation', 403],
    ['resource-constraint', 503],
    ['jid-malformed', 400],
    ['service-unavailable', 502],
  ])('%s → %i', (condition, status) => {
    expect(statusForCondition(condition)).toBe(status)
  })
})
