import { createServer, type Server, type Socket } from 'node:net'
import type { StreamContext } from './context.js'
import { StreamError } from './errors.js'
import { CLOSING_TAG, openingHeader } from './header.js'
import { acceptStream, type InboundSession } from './inbound.js'
import { streamErrorElement } from './stream-error.js'

export interface ListenOptions {
  host: string
  port: number
  /** XEP-0368: this port speaks TLS from the first byte. */
  directTls?: boolean
  /**
   * Connections this listener holds at once before they authenticate: past it,
   * a new connection gets `<resource-constraint/>` and is closed, so a flood of
   * idle or slow connections cannot exhaust the process. Default 100; Infinity turns it off.
   */
  maxPendingConnections?: number
}

export const DEFAULT_MAX_PENDING_CONNECTIONS = 100

/**
 * A TCP listener that runs every accepted socket as an inbound s2s stream.
 * Hosts that own their sockets call `acceptStream()` directly instead.
 */
export async function listen(
  context: StreamContext,
  options: ListenOptions,
  onSession: (session: InboundSession) => void,
): Promise<Server> {
  const maxPending = options.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS
  let pending = 0
  const server = createServer((socket: Socket) => {
    if (pending >= maxPending) {
      refuse(socket, context, options.directTls ?? false)
      return
    }
    pending++
    const session = acceptStream(socket, context, { directTls: options.directTls ?? false })
    let counted = true
    const release = () => {
      if (counted) pending--
      counted = false
    }
    session.once('established', release)
    session.once('closed', release)
    onSession(session)
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

/** RFC 6120 §4.9.3.17: no resources for one more stream; nothing the peer sends is read. */
function refuse(socket: Socket, context: StreamContext, directTls: boolean): void {
  socket.on('error', () => {})
  context.logger.warn('s2s connection refused: too many pending connections', {
    remote: socket.remoteAddress,
  })
  const timer = setTimeout(() => socket.destroy(), context.timeouts.closeMs)
  timer.unref?.()
  socket.once('close', () => clearTimeout(timer))
  // A direct TLS peer cannot read clear XML: it just sees the connection end.
  if (directTls) {
    socket.end()
    return
  }
  const error = streamErrorElement(new StreamError('resource-constraint', 'too many pending connections'))
  socket.end(`${openingHeader({})}${error.toString()}${CLOSING_TAG}`)
  socket.resume() // discard input, so the close is a FIN and not a reset
}
