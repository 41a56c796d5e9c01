import { connect, createServer, type Server, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { FederationConfigInput } from '@xmpp-federation/config'
import type { ClusterEvent, Federation } from '@xmpp-federation/router'
import type { RedisCluster } from '../src/index.js'

/** The loopback addresses this package's tests may use. */
export const REDIS_HOST = '127.0.0.190'
export const NODE_IPS = { n1: '127.0.0.191', n2: '127.0.0.192', n3: '127.0.0.193' } as const
export const PROSODY_IP = '127.0.0.194'

/** Collects a federation's `cluster` events. */
export function clusterEvents(federation: Federation): ClusterEvent[] {
  const events: ClusterEvent[] = []
  federation.on('cluster', (event) => events.push(event))
  return events
}

/** Polls until `check` holds (or throws its last failure after `timeoutMs`). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await check()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

interface FederationInsides {
  links: Map<string, { session?: { currentSocket?: Duplex } }>
  inbound: Set<{ currentSocket?: Duplex }>
  servers: Server[]
  idleSweeper?: { stop(): void }
}

/**
 * A node "dies" inside the test process: its Redis connections are dropped without releasing
 * anything, its sockets destroyed and its listeners closed, but stop() is never called.
 */
export async function simulateCrash(federation: Federation, cluster: RedisCluster): Promise<void> {
  await cluster.crash()
  const insides = federation as unknown as FederationInsides
  insides.idleSweeper?.stop()
  for (const server of insides.servers) server.close()
  for (const link of insides.links.values()) link.session?.currentSocket?.destroy()
  for (const session of insides.inbound) session.currentSocket?.destroy()
}

/** A config for one node of the test cluster (c.test), routed to Prosody's a.test. */
export function nodeConfig(
  files: { cert: string; key: string; ca: string },
  ip: string,
  extra: Partial<FederationConfigInput> = {},
): FederationConfigInput {
  return {
    domains: ['c.test'],
    tls: { cert: files.cert, key: files.key, ca: [files.ca], systemCa: false },
    listen: [{ host: ip, port: 5269 }],
    routes: { 'a.test': [{ host: PROSODY_IP }] },
    dialback: { secret: 'one-secret-for-the-whole-test-cluster' },
    // Answers to our iq come back over Prosody's own stream (to n1), never on the requester's.
    streams: { bidi: false },
    ...extra,
  }
}

/** XF_DEBUG=1: every log line of a node on stderr, prefixed with its id. */
export function debugLogger(nodeId: string) {
  const log =
    (level: string) =>
    (fields: object, message?: string): void => {
      process.stderr.write(
        `${Date.now() % 100_000} ${nodeId} ${level} ${message ?? ''} ${JSON.stringify(fields)}\n`,
      )
    }
  const logger = {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  }
  return logger
}

/** A TCP relay to Redis that can freeze (hold every byte, both ways) and thaw: a paused or cut-off node. */
export interface FreezableProxy {
  readonly url: string
  freeze(): void
  thaw(): void
  close(): Promise<void>
}

export async function startFreezableProxy(
  listen: { host: string; port: number },
  target: { host: string; port: number },
): Promise<FreezableProxy> {
  const sockets = new Set<Socket>()
  let frozen = false
  const server = createServer((client) => {
    const upstream = connect(target)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
      if (frozen) socket.pause()
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(listen.port, listen.host, resolve))
  return {
    url: `redis://${listen.host}:${listen.port}`,
    freeze() {
      frozen = true
      for (const socket of sockets) socket.pause()
    },
    thaw() {
      frozen = false
      for (const socket of sockets) socket.resume()
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
