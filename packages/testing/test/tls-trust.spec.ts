import net from 'node:net'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCA } from '../src/pki.js'
import { trustOnUpgrade } from '../src/tls-trust.js'

// Upgrades a plain TCP socket the way @xmpp/starttls does: tls.connect({ socket, host }) and nothing else.
async function upgrade(port: number, ca?: string): Promise<tls.TLSSocket> {
  const socket = net.connect({ host: '127.0.0.1', port })
  await new Promise((resolve) => socket.once('connect', resolve))
  if (ca) trustOnUpgrade(socket, ca)
  const secure = tls.connect({ socket, host: 'a.test' })
  await new Promise((resolve, reject) => {
    secure.once('secureConnect', resolve)
    secure.once('error', reject)
  })
  return secure
}

describe('trustOnUpgrade', () => {
  let server: tls.Server
  let port: number
  let caPem: string

  beforeAll(async () => {
    const ca = await createTestCA()
    const leaf = await ca.issue({ dnsNames: ['a.test'] })
    caPem = ca.certPem
    server = tls.createServer({ cert: leaf.chainPem, key: leaf.keyPem }, (socket) => socket.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as net.AddressInfo).port
  })

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('makes an upgrade of a registered socket trust the test CA', async () => {
    const secure = await upgrade(port, caPem)
    expect(secure.authorized).toBe(true)
    secure.destroy()
  })

  it('leaves every other tls.connect alone', async () => {
    trustOnUpgrade(new net.Socket(), caPem) // the wrapper is installed, but not for the next socket
    await expect(upgrade(port)).rejects.toThrow(/certificate/)
  })
})
