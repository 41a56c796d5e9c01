import { xml as xmppJsXml } from '@xmpp/xml'
import { describe, expect, it } from 'vitest'
import { xml } from '../src/index.js'

describe('xml() given an element built by @xmpp/xml (its own copy of ltx)', () => {
  it('nests it as an element, not as escaped text', () => {
    const stanza = xml('message', { from: 'bot@a.test', to: 'alice@b.test' }, xmppJsXml('body', {}, 'hi'))
    expect(stanza.toString()).toBe('<message from="bot@a.test" to="alice@b.test"><body>hi</body></message>')
  })

  it('refuses an object that is no element instead of writing "[object Object]"', () => {
    expect(() => xml('message', {}, { body: 'hi' } as never)).toThrow(TypeError)
  })
})
