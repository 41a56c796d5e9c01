import { type DnsServer, startDnsServer, stopAllPeers } from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Federation, xml } from '../src/index.js'
import { configFor, createTestPki, nextStanza, startFederation, type TestPki } from './fixtures.js'

// Resolution through a real DNS server (dnsmasq on loopback): SRV to a listener, NXDOMAIN bounces.
describe('federation resolving through DNS', () => {
  let pki: TestPki
  let dns: DnsServer
  let c: Federation
  let srv: Federation

  beforeAll(async () => {
    pki = await createTestPki()
    dns = await startDnsServer({
      ip: '127.0.0.53',
      port: 5340,
      zone: {
        srv: [
          {
            name: '_xmpp-server._tcp.srv.test',
            target: 'xmpp.srv.test',
            port: 15271,
            priority: 10,
            weight: 1,
          },
        ],
        a: [{ name: 'xmpp.srv.test', address: '127.0.0.14' }],
      },
    })
    srv = await startFederation({
      config: await configFor(pki, 'srv.test', { listen: [{ host: '127.0.0.14', port: 15271 }] }),
    })
    c = await startFederation({
      config: await configFor(pki, 'c.test', { dns: { servers: [dns.address], timeoutMs: 2000 } }),
    })
  })
  afterAll(async () => {
    await c?.stop()
    await srv?.stop()
    await stopAllPeers()
  })

  it('follows the _xmpp-server SRV record to the listener', async () => {
    const received = nextStanza(srv, (s) => s.attrs.id === 'srv1')
    await c.send(
      xml('message', { from: 'bot@c.test', to: 'x@srv.test', id: 'srv1' }, xml('body', {}, 'via SRV')),
    )
    expect((await received).getChildText('body')).toBe('via SRV')
    const status = c.status().domains.find((d) => d.remote === 'srv.test')
    expect(status?.target).toBe('127.0.0.14:15271')
  })

  it('bounces a stanza for a domain that does not exist with remote-server-not-found', async () => {
    // Our own bounce comes once, as a bounce event carrying the error stanza for the sender.
    const returned = new Promise<Element>((resolve) =>
      c.on('bounce', (b) => b.stanza.attrs.id === 'nx1' && b.returned && resolve(b.returned)),
    )
    const started = Date.now()
    await expect(
      c.send(
        xml('message', { from: 'bot@c.test', to: 'x@ghost.test', id: 'nx1' }, xml('body', {}, 'anyone?')),
      ),
    ).rejects.toMatchObject({ condition: 'remote-server-not-found' })
    expect((await returned).getChild('error')?.getChild('remote-server-not-found')).toBeDefined()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(c.status().domains.find((d) => d.remote === 'ghost.test')?.lastError?.message).toMatch(
      /NXDOMAIN|not exist/i,
    )
  })
})
