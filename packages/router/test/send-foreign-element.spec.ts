import { xml as xmppJsXml } from '@xmpp/xml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Federation } from '../src/index.js'
import { configFor, createTestPki, nextStanza, startFederation } from './fixtures.js'

// A host that already speaks xmpp.js hands us its elements (another copy of ltx) as they are.
const E = { host: '127.0.0.152', port: 15269 }
const F = { host: '127.0.0.153', port: 15269 }

describe('federation.send() with a stanza built by @xmpp/xml', () => {
  let e: Federation
  let f: Federation

  beforeAll(async () => {
    const pki = await createTestPki()
    e = await startFederation({
      config: await configFor(pki, 'e.test', { listen: [E], routes: { 'f.test': [F] } }),
    })
    f = await startFederation({
      config: await configFor(pki, 'f.test', { listen: [F], routes: { 'e.test': [E] } }),
    })
  })
  afterAll(async () => {
    await e?.stop()
    await f?.stop()
  })

  it('arrives with its payload as markup', async () => {
    const arrived = nextStanza(f, (s) => s.attrs.id === 'foreign1')
    await e.send(
      xmppJsXml(
        'message',
        { from: 'bot@e.test', to: 'alice@f.test', id: 'foreign1' },
        xmppJsXml('body', {}, 'hi'),
      ),
    )
    const stanza = await arrived
    expect(stanza.getChildText('body')).toBe('hi')
  })
})
