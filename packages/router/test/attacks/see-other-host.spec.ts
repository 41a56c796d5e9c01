import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { peerHeader } from '../../../stream/fuzz/hostile-peer.js'
import { report } from '../../../stream/fuzz/report.js'
import { type BounceEvent, type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation } from '../fixtures.js'
import { ATTACK_HOST } from './hostile.js'

// A peer (or whoever answers for it) says <see-other-host>evil</see-other-host>. We never follow
// it: that would let anyone who can inject one element redirect a domain's traffic (RFC 6120
// §4.9.3.19 leaves following it to policy; ours is never). The stanza bounces instead.
const PEER_PORT = 25321
const EVIL_PORT = 25322

let c: Federation
let peer: Server
let evil: Server
let evilConnections = 0
let peerConnections = 0

async function serve(port: number, onSocket: (socket: Socket) => void): Promise<Server> {
  const server = createServer(onSocket)
  await new Promise<void>((resolve) => server.listen(port, ATTACK_HOST, resolve))
  return server
}

beforeAll(async () => {
  evil = await serve(EVIL_PORT, (socket) => {
    evilConnections++
    socket.destroy()
  })
  peer = await serve(PEER_PORT, (socket) => {
    peerConnections++
    socket.on('error', () => {})
    socket.once('data', () => {
      socket.end(
        `${peerHeader('d.test', 'c.test', "version='1.0' id='x'")}<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${ATTACK_HOST}:${EVIL_PORT}</see-other-host></stream:error></stream:stream>`,
      )
    })
  })
  const pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', {
      routes: { 'd.test': [{ host: ATTACK_HOST, port: PEER_PORT }] },
    }),
  })
})
afterAll(async () => {
  await c?.stop()
  await new Promise((resolve) => peer?.close(resolve))
  await new Promise((resolve) => evil?.close(resolve))
})

it('bounces with remote-server-not-found and never connects to the proposed host', async ({ task }) => {
  const bounces: BounceEvent[] = []
  c.on('bounce', (b) => bounces.push(b))
  const sent = c.send(
    xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'soh' }, xml('body', {}, 'x')),
  )
  await expect(sent).rejects.toMatchObject({ condition: 'remote-server-not-found' })
  await expect(sent).rejects.toThrow(/see-other-host/)
  expect(bounces.map((b) => b.condition)).toEqual(['remote-server-not-found'])
  expect(peerConnections).toBe(1)
  expect(evilConnections).toBe(0)
  report(task, {
    outcome: 'bounced; 0 connections to the proposed host',
    counts: { redirectsFollowed: evilConnections },
  })
})
