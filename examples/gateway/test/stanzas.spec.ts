import { xml } from '@xmpp-federation/router'
import { describe, expect, it } from 'vitest'
import { inboxEntry, refusedEntry } from '../src/stanzas.js'

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

describe('stanzas ↔ inbox entries', () => {
  it('keeps messages with a body, not chat states', () => {
    const message = xml(
      'message',
      { from: 'alice@a.test/x', to: 'bot@c.test', id: 'm1', type: 'chat' },
      xml('body', {}, 'hi'),
    )
    expect(inboxEntry(message)).toEqual({
      kind: 'message',
      from: 'alice@a.test/x',
      to: 'bot@c.test',
      id: 'm1',
      type: 'chat',
      body: 'hi',
    })
    const typing = xml(
      'message',
      { from: 'alice@a.test/x', to: 'bot@c.test' },
      xml('composing', { xmlns: 'x' }),
    )
    expect(inboxEntry(typing)).toBeUndefined()
  })

  it('reads presence types, show and status', () => {
    const presence = xml('presence', { from: 'alice@a.test/x', to: 'bot@c.test' }, xml('show', {}, 'away'))
    expect(inboxEntry(presence)).toEqual({
      kind: 'presence',
      from: 'alice@a.test/x',
      to: 'bot@c.test',
      type: 'available',
      show: 'away',
    })
    expect(inboxEntry(xml('presence', { from: 'a@a.test', to: 'bot@c.test', type: 'bogus' }))).toBeUndefined()
  })

  it('reads the condition and text of an error stanza', () => {
    const error = xml(
      'message',
      { from: 'nobody@x.test', to: 'bot@c.test', type: 'error', id: 'm2' },
      xml(
        'error',
        { type: 'cancel' },
        xml('remote-server-not-found', { xmlns: NS_STANZAS }),
        xml('text', { xmlns: NS_STANZAS }, 'no such domain'),
      ),
    )
    expect(inboxEntry(error)).toEqual({
      kind: 'error',
      from: 'nobody@x.test',
      to: 'bot@c.test',
      stanza: 'message',
      id: 'm2',
      condition: 'remote-server-not-found',
      text: 'no such domain',
    })
  })

  it('turns a refused stanza of ours into the error its sender would have got', () => {
    const presence = xml('presence', { from: 'bot@c.test', to: 'eve@x.test', type: 'subscribed', id: 'p1' })
    expect(refusedEntry(presence, 'remote-server-not-found', 'NXDOMAIN')).toEqual({
      kind: 'error',
      from: 'eve@x.test',
      to: 'bot@c.test',
      stanza: 'presence',
      id: 'p1',
      condition: 'remote-server-not-found',
      text: 'NXDOMAIN',
    })
  })
})
