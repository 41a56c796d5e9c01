import { createServer, type Server, type Socket } from 'node:net'
import type { StreamContext } from './context.js'
import { acceptStream, type InboundSession } from './inbound.js'

export interface ListenOptions {
  host: string
  port: number
  /** XEP-0368: this port speaks TLS from the first byte. */
  directTls?: boolean
}

/**
 * A TCP listener that runs every accepted socket as an inbound s2s stream.
 * Hosts that own their sockets call `acceptStream()` directly instead.
 */
export async function listen(
  context: StreamContext,
  options: ListenOptions,
  onSession: (session: InboundSession) => void,
): Promise<Server> {
  const server = createServer((socket: Socket) => {
    onSession(acceptStream(socket, context, { directTls: options.directTls ?? false }))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}
