import { describe, expect, it } from 'vitest'
import { xml } from '../src/xml.js'

describe('xml() attributes', () => {
  it('keeps own attributes in order as strings, and skips undefined ones and inherited ones', () => {
    const inherited = Object.create({ inherited: 'no' }) as Record<string, string | number | undefined>
    Object.assign(inherited, { to: 'b@d.test', id: 7, type: undefined, from: 'a@c.test' })
    const el = xml('message', inherited, xml('body', {}, 'hi'))
    expect(el.attrs).toEqual({ to: 'b@d.test', id: '7', from: 'a@c.test' })
    expect(Object.keys(el.attrs)).toEqual(['to', 'id', 'from'])
    expect(el.toString()).toBe('<message to="b@d.test" id="7" from="a@c.test"><body>hi</body></message>')
  })

  it('gives every element attributes of its own', () => {
    const shared = { type: 'chat' }
    const one = xml('message', shared)
    one.attrs.type = 'error'
    expect(xml('message', shared).attrs.type).toBe('chat')
  })
})
