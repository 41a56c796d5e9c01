import { createServer, type Server, type Socket } from 'node:net'
import { type AddressThrottle, createAddressThrottle } from './address-throttle.js'
import type { StreamContext } from './context.js'
import { StreamError } from './errors.js'
import { CLOSING_TAG, openingHeader } from './header.js'
import { acceptStream, type InboundSession } from './inbound.js'
import { sampledWarning } from './sampled-warning.js'
import { streamErrorElement } from './stream-error.js'

/** One listening socket: where to bind and whether it speaks direct TLS. */
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
  /**
   * New connections one remote address may open per second, past a burst of
   * `connectionBurstPerAddress` (default twice the rate): the excess gets
   * `<resource-constraint/>` like a connection past `maxPendingConnections`, and
   * the log says once when an address starts and stops being throttled.
   * Default 20; Infinity turns it off.
   */
  maxConnectionsPerSecondPerAddress?: number
  /** Connections one remote address may open back to back before its rate applies. */
  connectionBurstPerAddress?: number
  /** A throttle shared by several listeners, whose `throttled()` a host reports; replaces the two options above. */
  throttle?: AddressThrottle
}

/**
 * Connections a listener lets negotiate at once by default; more are refused so a flood cannot exhaust
 * memory.
 */
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
  const throttle =
    options.throttle ??
    createAddressThrottle({
      perSecond: options.maxConnectionsPerSecondPerAddress,
      burst: options.connectionBurstPerAddress,
      logger: context.logger,
    })
  let pending = 0
  const warnPendingFull = sampledWarning(
    context.logger,
    's2s connection refused: too many pending connections',
  )
  const server = createServer((socket: Socket) => {
    const remote = socket.remoteAddress
    // Reset before we got to it: nothing to run, and nothing to charge to an address.
    if (remote === undefined) {
      socket.destroy()
      return
    }
    if (!throttle.admit(remote)) {
      refuse(socket, context, options.directTls ?? false, 'too many connections from this address')
      return
    }
    if (pending >= maxPending) {
      warnPendingFull({ remote, pending })
      refuse(socket, context, options.directTls ?? false, 'too many pending connections')
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
function refuse(socket: Socket, context: StreamContext, directTls: boolean, reason: string): void {
  socket.on('error', () => {})
  const timer = setTimeout(() => socket.destroy(), context.timeouts.closeMs)
  timer.unref?.()
  socket.once('close', () => clearTimeout(timer))
  // A direct TLS peer cannot read clear XML: it just sees the connection end.
  if (directTls) {
    socket.end()
    return
  }
  const error = streamErrorElement(new StreamError('resource-constraint', reason))
  socket.end(`${openingHeader({})}${error.toString()}${CLOSING_TAG}`)
  socket.resume() // discard input, so the close is a FIN and not a reset
}
