import { createHash } from 'node:crypto'
import { createClient, createCluster } from 'redis'

// Standalone Redis: one connection for commands (node-redis writes every command issued in the
// same tick in one pipeline, so a tick's appends reach Redis as one batch) and one for sharded
// pub/sub, which a connection in subscriber mode cannot share. Redis Cluster: node-redis' cluster
// client, which routes each command by its first key (every command here has one) and keeps its
// own connections for sharded pub/sub.

export type RedisReply = string | number | null | RedisReply[]

/** What the store needs of a connection, standalone or cluster. */
interface Connection {
  connect(): Promise<unknown>
  send(args: string[]): Promise<unknown>
  sSubscribe(channel: string, listener: (message: string) => void): Promise<unknown>
  close(): Promise<unknown>
  destroy(): void
  onError(listener: (error: Error) => void): void
}

const socket = {
  connectTimeout: 2_000,
  reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
}

function standalone(url: string): Connection {
  // Commands fail at once while disconnected: the cluster retries them within each stanza's TTL.
  const client = createClient({ url, disableOfflineQueue: true, socket })
  const subscriber = client.duplicate()
  return {
    connect: () => Promise.all([client.connect(), subscriber.connect()]),
    send: (args) => client.sendCommand(args),
    sSubscribe: (channel, listener) => subscriber.sSubscribe(channel, (message) => listener(message)),
    close: () => Promise.allSettled([client.close(), subscriber.close()]),
    destroy() {
      for (const each of [client, subscriber]) {
        try {
          each.destroy()
        } catch {
          // Never connected: nothing to drop.
        }
      }
    },
    onError(listener) {
      client.on('error', listener)
      subscriber.on('error', listener)
    },
  }
}

function cluster(url: string): Connection {
  const client = createCluster({ rootNodes: [{ url }], defaults: { disableOfflineQueue: true, socket } })
  return {
    connect: () => client.connect(),
    send: (args) => client.sendCommand(firstKey(args), false, args),
    sSubscribe: (channel, listener) => client.sSubscribe(channel, (message) => listener(message)),
    close: () => client.close(),
    destroy() {
      try {
        client.destroy()
      } catch {
        // Never connected: nothing to drop.
      }
    },
    onError: (listener) => client.on('error', listener),
  }
}

/** The key a command is routed by: the first of EVAL/EVALSHA's keys, else the first argument. */
export function firstKey(args: readonly string[]): string | undefined {
  const name = args[0]?.toUpperCase()
  if (name === 'EVAL' || name === 'EVALSHA') return Number(args[2]) > 0 ? args[3] : undefined
  return args[1]
}

/** The Lua scripts by SHA1: EVALSHA first, EVAL when Redis lost them (a restart). */
class Script {
  readonly sha: string
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }
}

export interface StoreEvents {
  /** A command failed for want of a connection (once per outage). */
  unavailable(error: Error): void
  /** The connection is back after an outage. */
  restored(): void
}

export class RedisStore {
  private readonly connection: Connection
  private readonly scripts = new Map<string, Script>()
  private down = false
  private closed = false

  /** `redisCluster`: `url` is one node of a Redis Cluster, the others are discovered. */
  constructor(
    url: string,
    private readonly events: StoreEvents,
    redisCluster = false,
  ) {
    this.connection = redisCluster ? cluster(url) : standalone(url)
    this.connection.onError((error) => this.markDown(error))
  }

  /** Connects both connections; rejects when Redis cannot be reached. */
  async connect(): Promise<void> {
    // A first connection that fails would otherwise retry for ever behind a pending promise.
    const attempt = this.connection.connect()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer within 5 s')), 5_000)
    })
    try {
      await Promise.race([attempt, timeout])
    } catch (error) {
      await this.destroy()
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  async command(args: string[]): Promise<RedisReply> {
    try {
      const reply = (await this.connection.send(args)) as RedisReply
      this.markUp()
      return reply
    } catch (error) {
      if (!isServerReply(error)) this.markDown(error as Error)
      throw error
    }
  }

  async script(source: string, keys: string[], args: string[]): Promise<RedisReply> {
    let script = this.scripts.get(source)
    if (!script) {
      script = new Script(source)
      this.scripts.set(source, script)
    }
    const tail = [String(keys.length), ...keys, ...args]
    try {
      return await this.command(['EVALSHA', script.sha, ...tail])
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error
      return this.command(['EVAL', script.source, ...tail])
    }
  }

  /** Returns how many subscribers got it: 0 means the node behind the channel is gone. */
  async publish(channel: string, message: string): Promise<number> {
    return Number(await this.command(['SPUBLISH', channel, message]))
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    await this.connection.sSubscribe(channel, listener)
  }

  /** Graceful: pending replies are awaited. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // A server that is gone never answers the QUIT: after a moment the sockets are just dropped.
    const graceful = this.connection.close().catch(() => undefined)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), 1_000)
    })
    if ((await Promise.race([graceful, late])) === 'late') await this.destroy()
    clearTimeout(timer)
  }

  /** Abrupt: the sockets are dropped (what a crash looks like to Redis). */
  async destroy(): Promise<void> {
    this.closed = true
    this.connection.destroy()
  }

  private markDown(error: Error): void {
    if (this.down || this.closed) return
    this.down = true
    this.events.unavailable(error)
  }

  private markUp(): void {
    if (!this.down || this.closed) return
    this.down = false
    this.events.restored()
  }
}

/** An error reply from Redis itself (the connection works). */
function isServerReply(error: unknown): boolean {
  const name = (error as Error | undefined)?.constructor?.name ?? ''
  return name === 'SimpleError' || name === 'BlobError' || name === 'ErrorReply'
}
