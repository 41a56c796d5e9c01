import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { waitUntilNoConnections } from './tcp-quiet.js'

// 127.0.0.139: inside the matrix's address range, used by nothing else.
const IP = '127.0.0.139'
let server: Server | undefined

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

it('waits while a TCP connection of the address is open, and resolves once both ends closed it', async () => {
  const accepted: Socket[] = []
  // allowHalfOpen: like a peer slow to tear down its end, the accepting side keeps it open after our FIN
  server = createServer({ allowHalfOpen: true }, (socket) => accepted.push(socket))
  await new Promise<void>((resolve) => server!.listen(0, IP, resolve))
  const port = (server.address() as { port: number }).port
  const client = connect(port, IP)
  await new Promise<void>((resolve) => client.once('connect', () => resolve()))

  await expect(waitUntilNoConnections(IP, 200)).rejects.toThrow(/still open/)
  client.end() // half-closed: the accepting side sits in CLOSE_WAIT until it ends too
  await expect(waitUntilNoConnections(IP, 200)).rejects.toThrow(/still open/)
  for (const socket of accepted) socket.end()
  await waitUntilNoConnections(IP, 2_000)
})
