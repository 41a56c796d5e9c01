/**
 * A byte-level TCP relay that records, per connection, the flights of data in each direction
 * (a flight: bytes in one direction with none in the other in between). Put between an s2s
 * initiator and its peer, it counts the network round trips of a stream's setup without a
 * packet capture.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { nowUs } from './clock.js'

export interface Flight {
  /** up: initiator → peer; down: peer → initiator. */
  readonly dir: 'up' | 'down'
  bytes: number
  readonly startUs: number
  /** The reads that made the flight (bytes, µs): a flight written in two parts shows as two. */
  readonly chunks: { bytes: number; atUs: number }[]
}

export interface ConnectionTrace {
  readonly openedUs: number
  readonly flights: Flight[]
}

export interface Relay {
  readonly traces: ConnectionTrace[]
  stop(): Promise<void>
}

export interface Endpoint {
  host: string
  port: number
}

export async function startRelay(listen: Endpoint, target: Endpoint): Promise<Relay> {
  const traces: ConnectionTrace[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const trace: ConnectionTrace = { openedUs: nowUs(), flights: [] }
    traces.push(trace)
    const record = (dir: Flight['dir'], bytes: number) => {
      const at = nowUs()
      const last = trace.flights[trace.flights.length - 1]
      if (last?.dir === dir) {
        last.bytes += bytes
        last.chunks.push({ bytes, atUs: at })
      } else trace.flights.push({ dir, bytes, startUs: at, chunks: [{ bytes, atUs: at }] })
    }
    const upstream = tcpConnect(target)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.setNoDelay(true)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
    }
    client.pause()
    upstream.once('connect', () => client.resume())
    client.on('data', (chunk: Buffer) => {
      record('up', chunk.length)
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      record('down', chunk.length)
      client.write(chunk)
    })
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => resolve())
  })
  return {
    traces,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * Round trips of one connection before `untilUs`: the TCP handshake, then each flight up that a
 * flight down answered (a peer's answer is what the initiator waits for).
 */
export function roundTrips(trace: ConnectionTrace, untilUs: number): number {
  if (trace.openedUs > untilUs) return 0
  let count = 1
  const { flights } = trace
  for (let i = 0; i + 1 < flights.length; i++) {
    if (flights[i]!.dir === 'up' && flights[i + 1]!.dir === 'down' && flights[i + 1]!.startUs < untilUs)
      count++
  }
  return count
}
