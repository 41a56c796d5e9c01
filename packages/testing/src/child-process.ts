import { spawn } from 'node:child_process'
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
}

export async function spawnManaged(options: SpawnManagedOptions): Promise<ManagedProcess> {
  const consoleLog = openSync(options.consoleLogPath, 'a')
  const child = (() => {
    try {
      const stdin = options.stdinLifeline ? 'pipe' : 'ignore'
      return spawn(options.command, options.args, { stdio: [stdin, consoleLog, consoleLog] })
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
  return { pid, exitReason, stop, signal, exited }
}
