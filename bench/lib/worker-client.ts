import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { tsxNodeOptions } from './tsx.js'

/** One side of a measurement, in its own process so its CPU and memory are its own. */
export interface Worker {
  readonly name: string
  readonly pid: number
  /** Runs a command registered in the worker (see bench/worker.ts) and resolves with its result. */
  call<T = unknown>(command: string, args?: unknown): Promise<T>
  /** Fire and forget: a command whose answer nobody waits for (flow-control acks). */
  post(command: string, args?: unknown): void
  /** Events the worker emits on its own (progress, done). */
  on(event: string, listener: (data: unknown) => void): void
  off(event: string, listener: (data: unknown) => void): void
  /** Asks the worker to exit (writing its CPU profile, if any); kills it after 10 s. */
  stop(): Promise<void>
}

export interface WorkerOptions {
  /** Expose global.gc(), for memory measurements. */
  exposeGc?: boolean
}

const entry = fileURLToPath(new URL('../worker.ts', import.meta.url))

interface Reply {
  id?: number
  ok?: boolean
  result?: unknown
  error?: string
  event?: string
  data?: unknown
}

export async function startWorker(name: string, options: WorkerOptions = {}): Promise<Worker> {
  const node = tsxNodeOptions()
  const execArgv = [...node.execArgv]
  if (options.exposeGc) execArgv.push('--expose-gc')
  const child = fork(entry, [name], {
    execArgv,
    env: node.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  const listeners = new Map<string, Set<(data: unknown) => void>>()
  let nextId = 1
  let exited = false
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('exit', (code, signal) => {
    exited = true
    for (const { reject } of pending.values()) reject(new Error(`worker ${name} exited (${code ?? signal})`))
    pending.clear()
  })
  child.on('message', (message: Reply) => {
    if (message.event) {
      for (const listener of listeners.get(message.event) ?? []) listener(message.data)
      return
    }
    const waiter = message.id === undefined ? undefined : pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id!)
    if (message.ok) waiter.resolve(message.result)
    else waiter.reject(new Error(`${name}: ${message.error}`))
  })
  await waitForReady(child, name)

  return {
    name,
    pid: child.pid!,
    call<T>(command: string, args?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`worker ${name} has exited`))
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        child.send({ id, command, args })
      })
    },
    post(command, args) {
      if (!exited) child.send({ command, args })
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener)
    },
    async stop() {
      if (exited) return
      child.send({ command: 'exit' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exit
      clearTimeout(timer)
    },
  }
}

function waitForReady(child: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Reply) => {
      if (message.event !== 'ready') return
      child.off('message', onMessage)
      resolve()
    }
    child.on('message', onMessage)
    child.once('exit', (code) => reject(new Error(`worker ${name} exited before it was ready (${code})`)))
  })
}
