import { parse } from 'ltx'
import { describe, expect, it } from 'vitest'
import { presenceElement, presenceType, readPresence } from '../src/index.js'

describe('presence stanzas', () => {
  it('are built without empty parts', () => {
    expect(presenceElement({ from: 'bot@c.test/gateway', to: 'alice@a.test' }).toString()).toBe(
      '<presence from="bot@c.test/gateway" to="alice@a.test"/>',
    )
    expect(
      presenceElement({ from: 'bot@c.test', to: 'alice@a.test', type: 'subscribe' }, 'p1').toString(),
    ).toBe('<presence id="p1" from="bot@c.test" to="alice@a.test" type="subscribe"/>')
    expect(
      presenceElement({
        from: 'bot@c.test/gateway',
        to: 'alice@a.test',
        show: 'dnd',
        status: 'a < b',
      }).toString(),
    ).toBe(
      '<presence from="bot@c.test/gateway" to="alice@a.test"><show>dnd</show><status>a &lt; b</status></presence>',
    )
  })

  it('are read into the data the book takes', () => {
    const stanza = parse(
      `<presence from='alice@a.test/x' to='bot@c.test'><show>away</show><status>lunch</status></presence>`,
    )
    expect(readPresence(stanza)).toEqual({
      from: 'alice@a.test/x',
      to: 'bot@c.test',
      type: 'available',
      show: 'away',
      status: 'lunch',
    })
    expect(readPresence(parse(`<presence from='a@a.test' to='bot@c.test' type='probe'/>`))).toEqual({
      from: 'a@a.test',
      to: 'bot@c.test',
      type: 'probe',
    })
  })

  it('of a type RFC 6121 does not define, errors included, are not read', () => {
    for (const type of ['bogus', 'error', 'available']) {
      expect(presenceType(parse(`<presence type='${type}'/>`))).toBeUndefined()
    }
    expect(readPresence(parse(`<message from='a@a.test' to='bot@c.test'/>`))).toBeUndefined()
  })
})
