import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { trackProcess } from './process-registry.js'

/**
 * `ejabberdctl foreground` as a child we own. ejabberdctl runs bash, which
 * runs `su ejabberd`, which runs the Erlang VM: signalling only the child
 * would leave the VM behind. So the child leads its own process group (all
 * of them our descendants) and fallback signals go to that group. The normal
 * stop is `ejabberdctl stop`; the stdin pipe is the lifeline that stops the
 * node when we die (see ejabberdctl.cfg's -eval).
 */
export interface EjabberdProcess {
  readonly pid: number
  exitReason(): string | undefined
  readonly exited: Promise<void>
  /** `ejabberdctl stop`, then the lifeline and SIGTERM/SIGKILL to the group; resolves once gone. Idempotent. */
  stop(): Promise<void>
}

export function spawnEjabberd(options: {
  name: string
  ctlArgs: string[]
  consoleLogPath: string
  /** The graceful stop (`ejabberdctl stop`); signals follow if the node is still up 10 s later. */
  gracefulStop: () => Promise<void>
}): EjabberdProcess {
  const consoleLog = openSync(options.consoleLogPath, 'a')
  let child: ChildProcess
  try {
    child = spawn('ejabberdctl', [...options.ctlArgs, 'foreground'], {
      stdio: ['pipe', consoleLog, consoleLog],
      detached: true, // its own process group, see above
    })
  } finally {
    closeSync(consoleLog)
  }
  child.stdin?.on('error', () => {}) // EPIPE once the node is gone
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not run ejabberdctl for ${options.name}`)

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const exitReason = () => {
    if (child.exitCode !== null) return `${options.name} exited with code ${child.exitCode}`
    if (child.signalCode !== null) return `${options.name} was killed by ${child.signalCode}`
    return undefined
  }
  const signalGroup = (signal: NodeJS.Signals) => {
    // While the leader runs, the group id cannot have been reused by anyone else.
    if (exitReason()) return
    try {
      process.kill(-pid, signal)
    } catch {
      // already gone
    }
  }
  const terminate = async (graceMs: number) => {
    child.stdin?.end() // the lifeline: the node stops on end-of-file
    signalGroup('SIGTERM')
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      if (exitReason()) return
      await options.gracefulStop().catch(() => {})
      if (!(await settlesWithin(exited, 10_000))) await terminate(5_000)
    })()
    return stopping
  }
  const untrack = trackProcess({ name: options.name, pid, stop, kill: signalGroup })
  void exited.then(untrack)
  return { pid, exitReason, exited, stop }
}

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer))
}
