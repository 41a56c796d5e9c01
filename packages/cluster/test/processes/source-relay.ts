import { createServer, connect as netConnect, type Socket } from 'node:net'

/**
 * A TCP relay that dials its target from a given source address. Each cluster node dials the
 * peer through its own relay, so the peer sees one source address per node and can say which
 * node wrote each stanza (TLS stays end to end: the relay only moves bytes).
 */
export interface SourceRelay {
  readonly host: string
  readonly port: number
  /** Connections relayed so far. */
  connections(): number
  close(): Promise<void>
}

export async function startSourceRelay(options: {
  host: string
  port: number
  target: { host: string; port: number }
  sourceAddress: string
}): Promise<SourceRelay> {
  const open = new Set<Socket>()
  let connections = 0
  const server = createServer((client) => {
    connections++
    const upstream = netConnect({ ...options.target, localAddress: options.sourceAddress })
    for (const socket of [client, upstream]) {
      open.add(socket)
      socket.setNoDelay(true)
      socket.on('error', () => {})
      socket.on('close', () => {
        open.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, resolve)
  })
  return {
    host: options.host,
    port: options.port,
    connections: () => connections,
    close() {
      for (const socket of open) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
