import { createServer, connect as netConnect, type Socket } from 'node:net'

/**
 * A TCP man in the middle for tests: relays host:port to a target, records
 * every byte each way, may rewrite what the server says, and can cut every
 * connection at once (a dropped link).
 */
export interface TcpProxy {
  readonly port: number
  /** Bytes client -> server and server -> client, over all connections. */
  readonly toServer: () => Buffer
  readonly toClient: () => Buffer
  readonly connections: () => number
  /** Destroys every open connection, both sides, without a FIN exchange of XML. */
  dropAll(): void
  close(): Promise<void>
}

export interface ProxyOptions {
  host: string
  port: number
  target: { host: string; port: number }
  /** Rewrites each chunk the server sends before the client sees it (e.g. strip STARTTLS). */
  rewriteFromServer?: (text: string) => string
}

export async function startTcpProxy(options: ProxyOptions): Promise<TcpProxy> {
  const toServer: Buffer[] = []
  const toClient: Buffer[] = []
  const open = new Set<Socket>()
  let connections = 0
  const server = createServer((client) => {
    connections++
    const upstream = netConnect(options.target)
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('error', () => {})
      s.on('close', () => {
        open.delete(s)
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (d: Buffer) => {
      toServer.push(d)
      upstream.write(d)
    })
    upstream.on('data', (d: Buffer) => {
      const out = options.rewriteFromServer
        ? Buffer.from(options.rewriteFromServer(d.toString('latin1')), 'latin1')
        : d
      toClient.push(out)
      client.write(out)
    })
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
  })
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve))
  return {
    port: options.port,
    toServer: () => Buffer.concat(toServer),
    toClient: () => Buffer.concat(toClient),
    connections: () => connections,
    dropAll() {
      for (const s of open) s.destroy()
    },
    close() {
      for (const s of open) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
