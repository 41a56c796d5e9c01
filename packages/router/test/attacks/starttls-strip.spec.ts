import { afterAll, beforeAll, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.js'
import { ATTACK_HOST } from './hostile.js'

// A man in the middle removes <starttls/> from d.test's features. With TLS required, c.test
// must not send a single stanza byte in clear: the capture of the wire proves it.
const D = { host: ATTACK_HOST, port: 25312 }
const PROXY_PORT = 25311
const SECRET = 'TOP-SECRET-4f2a'

let pki: TestPki
let c: Federation
let d: Federation
let proxy: TcpProxy
const atD: string[] = []

beforeAll(async () => {
  pki = await createTestPki()
  d = await startFederation({ config: await configFor(pki, 'd.test', { listen: [D] }) })
  d.on('stanza', (s) => atD.push(s.toString()))
  proxy = await startTcpProxy({
    host: ATTACK_HOST,
    port: PROXY_PORT,
    target: D,
    rewriteFromServer: (text) =>
      text.replace(/<starttls [^>]*>(<required\/>)?<\/starttls>|<starttls [^>]*\/>/g, ''),
  })
  c = await startFederation({
    config: await configFor(pki, 'c.test', {
      routes: { 'd.test': [{ host: ATTACK_HOST, port: PROXY_PORT }] },
    }),
  })
})
afterAll(async () => {
  await c?.stop()
  await d?.stop()
  await proxy?.close()
})

it('TLS required + STARTTLS stripped: the stanza bounces and no stanza byte crosses in clear', async ({
  task,
}) => {
  const bounces: string[] = []
  c.on('bounce', (b) => bounces.push(b.condition))
  const sent = c.send(
    xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'strip1' }, xml('body', {}, SECRET)),
  )
  await expect(sent).rejects.toMatchObject({ name: 'DeliveryError', condition: 'remote-server-not-found' })
  await expect(sent).rejects.toThrow(/STARTTLS/)
  const wire = proxy.toServer().toString('latin1')
  // Our stream header, and not one byte more: no <message, no body, no auth, no closing tag.
  expect(wire).toMatch(/^<\?xml version='1.0'\?><stream:stream [^>]*>$/)
  expect(wire).not.toContain(SECRET)
  expect(proxy.toClient().toString('latin1')).not.toContain('starttls')
  expect(bounces).toEqual(['remote-server-not-found'])
  expect(atD).toEqual([])
  report(task, {
    outcome: `bounced remote-server-not-found; ${wire.length} bytes in clear, all of them our header`,
    counts: { bytesToServer: wire.length, secretBytesInClear: 0 },
  })
})
