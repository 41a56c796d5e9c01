import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Federation } from '../../src/index.js'
import { configFor, createTestPki, startFederation } from '../fixtures.js'

// Issue 13: an address that opens connections faster than the listeners'
// per-address rate is named in the federation status, with its refusals,
// while it is being refused; a quiet address is not.
const LISTEN = { host: '127.0.0.97', port: 15269 }
const STORMER = '127.0.0.98'
const CONNECTIONS = 100 // past the default burst of 40
const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' to='c.test' version='1.0'>"

/** Opens a connection from `localAddress` and resets it once the server has answered or closed. */
function hitAndRun(localAddress: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ ...LISTEN, localAddress })
    socket.on('error', () => {})
    socket.once('connect', () => socket.write(HEADER))
    socket.once('data', () => socket.resetAndDestroy())
    socket.once('close', () => resolve())
    setTimeout(() => socket.destroy(), 1000).unref()
  })
}

describe('federation status during a connection storm', () => {
  let federation: Federation

  beforeAll(async () => {
    const pki = await createTestPki()
    federation = await startFederation({ config: await configFor(pki, 'c.test', { listen: [LISTEN] }) })
  })
  afterAll(() => federation.stop())

  it('lists the storming address with its refusals and since when', async () => {
    expect(federation.status().throttled).toEqual([])
    await Promise.all(Array.from({ length: CONNECTIONS }, () => hitAndRun(STORMER)))
    const throttled = federation.status().throttled ?? []
    expect(throttled).toHaveLength(1)
    expect(throttled[0]).toMatchObject({ address: STORMER, since: expect.stringMatching(/^\d{4}-/) })
    expect(throttled[0]!.refused).toBeGreaterThanOrEqual(CONNECTIONS - 45)
  })
})
