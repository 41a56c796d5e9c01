import { createHash } from 'node:crypto'
import { createClient } from 'redis'

// One connection for commands (node-redis writes every command issued in the same tick in one
// pipeline, so a tick's appends reach Redis as one batch) and one for sharded pub/sub, which a
// connection in subscriber mode cannot share.

export type RedisReply = string | number | null | RedisReply[]

type Client = ReturnType<typeof createClient>

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
  private readonly client: Client
  private readonly subscriber: Client
  private readonly scripts = new Map<string, Script>()
  private down = false
  private closed = false

  constructor(
    url: string,
    private readonly events: StoreEvents,
  ) {
    this.client = createClient({
      url,
      // Commands fail at once while disconnected: the cluster retries them within each stanza's TTL.
      disableOfflineQueue: true,
      socket: { connectTimeout: 2_000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1_000) },
    })
    this.subscriber = this.client.duplicate()
    for (const client of [this.client, this.subscriber]) {
      client.on('error', (error: Error) => this.markDown(error))
    }
    this.client.on('ready', () => this.markUp())
  }

  /** Connects both connections; rejects when Redis cannot be reached. */
  async connect(): Promise<void> {
    // A first connection that fails would otherwise retry for ever behind a pending promise.
    const attempt = Promise.all([this.client.connect(), this.subscriber.connect()])
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

  get available(): boolean {
    return !this.down && this.client.isReady
  }

  async command(args: string[]): Promise<RedisReply> {
    try {
      return (await this.client.sendCommand(args)) as RedisReply
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
    await this.subscriber.sSubscribe(channel, (message) => listener(message))
  }

  /** Graceful: pending replies are awaited. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // A server that is gone never answers the QUIT: after a moment the sockets are just dropped.
    const graceful = Promise.allSettled([this.client.close(), this.subscriber.close()])
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
    for (const client of [this.client, this.subscriber]) {
      try {
        client.destroy()
      } catch {
        // Never connected: nothing to drop.
      }
    }
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
