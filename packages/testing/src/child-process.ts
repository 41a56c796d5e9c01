import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { trackProcess } from './process-registry.js'

/** A server we spawned and own: signalled only through its handle, stopped on our exit. */
export interface ManagedProcess {
  readonly pid: number
  /** Why it is no longer running, or undefined while it runs. */
  exitReason(): string | undefined
  /** SIGTERM, SIGKILL after the grace period; resolves once it has exited. Idempotent. */
  stop(): Promise<void>
  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT...) through the handle; false once it has exited. */
  signal(signal: NodeJS.Signals): boolean
  /** Resolves once the process has exited, however it ended. */
  readonly exited: Promise<void>
}

export interface SpawnManagedOptions {
  /** For messages, e.g. 'prosody a.test'. */
  name: string
  command: string
  args: string[]
  /** stdout and stderr are appended here. */
  consoleLogPath: string
  /** Give the child a stdin pipe that we never write to and that closes when we die. */
  stdinLifeline?: boolean
  /** Default 10 s. */
  stopGraceMs?: number
  /** The child's environment; default ours. */
  env?: NodeJS.ProcessEnv
}

/** Node's IPC channel to a child started with spawnManagedWithIpc (a Node process). */
export interface IpcChannel {
  send(message: unknown): boolean
  onMessage(listener: (message: unknown) => void): void
  /** Whether the channel is still open. */
  readonly connected: boolean
}

export async function spawnManaged(options: SpawnManagedOptions): Promise<ManagedProcess> {
  return (await launch(options, false)).managed
}

/** Like spawnManaged, with Node's IPC channel as a fourth stdio: for a Node child that takes commands. */
export async function spawnManagedWithIpc(
  options: SpawnManagedOptions,
): Promise<{ process: ManagedProcess; channel: IpcChannel }> {
  const { managed, child } = await launch(options, true)
  child.on('error', () => {}) // a send to a dead child: the exit is what callers see
  const channel: IpcChannel = {
    send: (message) => (child.connected ? child.send(message as object) : false),
    onMessage: (listener) => child.on('message', listener),
    get connected() {
      return child.connected
    },
  }
  return { process: managed, channel }
}

async function launch(
  options: SpawnManagedOptions,
  ipc: boolean,
): Promise<{ managed: ManagedProcess; child: ChildProcess }> {
  const consoleLog = openSync(options.consoleLogPath, 'a')
  const child: ChildProcess = (() => {
    try {
      const stdin = options.stdinLifeline ? 'pipe' : 'ignore'
      const stdio: StdioOptions = ipc
        ? [stdin, consoleLog, consoleLog, 'ipc']
        : [stdin, consoleLog, consoleLog]
      return spawn(options.command, options.args, { stdio, env: options.env ?? process.env })
    } finally {
      closeSync(consoleLog) // the child holds its own copy
    }
  })()
  child.stdin?.on('error', () => {}) // EPIPE once the child is gone: nothing to report

  let spawnError: Error | undefined
  child.on('error', (error) => {
    spawnError ??= error
  })
  const pid = child.pid
  if (pid === undefined) {
    await new Promise((resolve) => setImmediate(resolve)) // lets the 'error' event say why
    throw new Error(
      `could not run ${options.command} for ${options.name}: ${spawnError?.message ?? 'no pid'}`,
    )
  }

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const exitReason = () => {
    if (child.exitCode !== null) return `${options.name} exited with code ${child.exitCode}`
    if (child.signalCode !== null) return `${options.name} was killed by ${child.signalCode}`
    return undefined
  }
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      if (exitReason()) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 10_000)
      await exited
      clearTimeout(timer)
    })()
    return stopping
  }
  // ChildProcess.kill() is a no-op once the child has been reaped, so a recycled pid is never hit.
  const untrack = trackProcess({ name: options.name, pid, stop, kill: (signal) => child.kill(signal) })
  void exited.then(untrack)
  const signal = (name: NodeJS.Signals) => exitReason() === undefined && child.kill(name)
  return { managed: { pid, exitReason, stop, signal, exited }, child }
}
