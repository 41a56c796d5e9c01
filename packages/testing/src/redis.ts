import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { type ManagedProcess, spawnManaged } from './child-process.js'
import { assertPortsFree, waitForPorts } from './tcp-probe.js'
import type { Workdir } from './workdir.js'

export interface RedisOptions {
  workdir: Workdir
  /** A loopback address, e.g. 127.0.0.190. */
  host: string
  /** Default 6379. */
  port?: number
  /** Default `redis`: the subdirectory of the workdir with its log and (unused) data dir. */
  name?: string
  /** Extra `--option value` pairs for redis-server. */
  extraArgs?: string[]
}

/** A redis-server the test started; `restart()` brings it back empty on the same address. */
export interface RedisServer {
  readonly host: string
  readonly port: number
  /** `redis://host:port` */
  readonly url: string
  readonly process: ManagedProcess
  /** Where redis-server writes its log. */
  readonly logPath: string
  stop(): Promise<void>
  /** Stops it (SIGKILL: nothing flushed) and starts a new, empty one on the same address. */
  restart(): Promise<void>
}

/**
 * Starts `redis-server` on loopback without persistence (`--save '' --appendonly no`):
 * the cluster's state lives only as long as this process, which is what failure tests want.
 */
export async function startRedis(options: RedisOptions): Promise<RedisServer> {
  const port = options.port ?? 6379
  const dir = await options.workdir.subdir(options.name ?? 'redis')
  await mkdir(dir, { recursive: true })
  const logPath = path.join(dir, 'redis.log')
  const launch = async (): Promise<ManagedProcess> => {
    await assertPortsFree(options.host, [port])
    const child = await spawnManaged({
      name: `redis-server ${options.host}:${port}`,
      command: 'redis-server',
      args: [
        '--bind',
        options.host,
        '--port',
        String(port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--protected-mode',
        'no',
        ...(options.extraArgs ?? []),
      ],
      consoleLogPath: logPath,
      stopGraceMs: 5_000,
    })
    await waitForPorts(options.host, [port], { timeoutMs: 10_000, failure: child.exitReason })
    return child
  }
  let current = await launch()
  return {
    host: options.host,
    port,
    url: `redis://${options.host}:${port}`,
    get process() {
      return current
    },
    logPath,
    stop: () => current.stop(),
    async restart() {
      current.signal('SIGKILL')
      await current.exited
      current = await launch()
    },
  }
}
