import { xml as xmppJsXml } from '@xmpp/xml'
import { describe, expect, it } from 'vitest'
import { serialize } from '../src/xml/index.js'

// @xmpp/xml bundles its own copy of ltx: its elements are not instances of our Element class,
// so anything that checks class identity would write them as escaped text.
describe('serialize() with an element built by another copy of ltx (@xmpp/xml)', () => {
  it('writes it as markup, children included', () => {
    const stanza = xmppJsXml(
      'message',
      { from: 'bot@a.test', to: 'alice@b.test', type: 'chat' },
      xmppJsXml('body', {}, 'hi <there> & you'),
    )
    expect(serialize(stanza)).toBe(
      `<message from="bot@a.test" to="alice@b.test" type="chat"><body>hi &lt;there&gt; &amp; you</body></message>`,
    )
  })
})
