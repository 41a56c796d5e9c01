import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type IpcChannel, type ManagedProcess, spawnManagedWithIpc } from '../child-process.js'
import type {
  BurstResult,
  BurstSpec,
  ClusterNodeEvent,
  ClusterNodeSpec,
  NodeCommand,
  RunnerMessage,
  SendOutcome,
} from './protocol.js'

export interface StartClusterNodeOptions extends ClusterNodeSpec {
  /** stdout and stderr of the node (its logger's warnings, crashes) are appended here. */
  consoleLogPath: string
  /**
   * The tsconfig tsx runs the node with: its `paths` say where `@xmpp-federation/*` comes from.
   * Default: the packages' TypeScript sources (no build needed), as in the tests.
   */
  tsconfig?: string
  /** How long start() may take, Redis and listeners included; default 20 s. */
  startTimeoutMs?: number
}

/** A library node in its own process, driven over IPC. */
export interface ClusterNode {
  readonly nodeId: string
  readonly pid: number
  /** Sends one stanza (XML text) and resolves with how it settled on this node. */
  send(xml: string): Promise<SendOutcome>
  /** federation.request(): resolves with the answer's XML text, rejects with the node's error. */
  request(xml: string, timeoutMs?: number): Promise<string>
  /** Sends `count` messages from inside the node and reports how each settled. */
  burst(spec: BurstSpec): Promise<BurstResult>
  /** Turns the `stanza` events on or off (one IPC message per stanza: off under load). */
  reportStanzas(on: boolean): Promise<void>
  /** federation.status() as JSON. */
  status(): Promise<Record<string, unknown>>
  /** The events so far (the latest MAX_KEPT_EVENTS), in arrival order. */
  readonly events: readonly ClusterNodeEvent[]
  /** Calls listener for every later event. */
  onEvent(listener: (event: ClusterNodeEvent) => void): void
  /** Resolves with the first event (past or future) that matches; default timeout 15 s. */
  waitForEvent(predicate: (event: ClusterNodeEvent) => boolean, timeoutMs?: number): Promise<ClusterNodeEvent>
  /** Graceful: federation.stop() (which hands leases over), then the process exits. Idempotent. */
  stop(): Promise<void>
  /** SIGKILL, SIGSTOP, SIGCONT... through the managed process; false once it has exited. */
  signal(signal: NodeJS.Signals): boolean
  /** Why the process is gone, or undefined while it runs. */
  exitReason(): string | undefined
  readonly exited: Promise<void>
}

// Beside this file: runner.ts in the sources (tests), runner.js in dist/ (the bench).
const runnerPath = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './runner.ts' : './runner.js', import.meta.url),
)
/** Maps `@xmpp-federation/*` to the packages' sources. */
export const SOURCES_TSCONFIG = fileURLToPath(new URL('../../tsconfig.cluster-node.json', import.meta.url))

const STATUS_TIMEOUT_MS = 10_000

/** Events a handle keeps: a long test that reports every stanza must not grow without bound. */
export const MAX_KEPT_EVENTS = 50_000

/** The node's start() failed (e.g. a ConfigError): name and message as the node saw them. */
export class ClusterNodeStartError extends Error {
  override readonly name = 'ClusterNodeStartError'
  constructor(
    readonly nodeId: string,
    readonly errorName: string,
    message: string,
  ) {
    super(`node ${nodeId} did not start: ${errorName}: ${message}`)
  }
}

/**
 * Starts a library node (`createFederation`, with `redisCluster` when `redisUrl` is given) in a
 * separate Node process and resolves once its federation has started.
 */
export async function startClusterNode(options: StartClusterNodeOptions): Promise<ClusterNode> {
  const { consoleLogPath, tsconfig, startTimeoutMs, ...spec } = options
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
  const { process: child, channel } = await spawnManagedWithIpc({
    name: `cluster node ${spec.nodeId}`,
    command: process.execPath,
    args: ['--import', tsx, runnerPath],
    consoleLogPath,
    stopGraceMs: 10_000,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: path.resolve(tsconfig ?? SOURCES_TSCONFIG),
      XF_CLUSTER_NODE_SPEC: JSON.stringify(spec),
    },
  })
  const node = connect(spec.nodeId, child, channel)
  await node.ready(startTimeoutMs ?? 20_000)
  return node.handle
}

function connect(nodeId: string, child: ManagedProcess, channel: IpcChannel) {
  const events: ClusterNodeEvent[] = []
  const listeners = new Set<(event: ClusterNodeEvent) => void>()
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let nextId = 1
  let onReady: ((error?: Error) => void) | undefined

  channel.onMessage((raw) => {
    const message = raw as RunnerMessage
    if (message.kind === 'event') {
      events.push(message.event)
      if (events.length > MAX_KEPT_EVENTS) events.splice(0, events.length - MAX_KEPT_EVENTS)
      for (const listener of listeners) listener(message.event)
    } else if (message.kind === 'ready') onReady?.()
    else if (message.kind === 'start-failed')
      onReady?.(new ClusterNodeStartError(nodeId, message.error.name, message.error.message))
    else {
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.ok) waiter?.resolve(message.value)
      else waiter?.reject(new Error(`node ${nodeId}: ${message.error.name}: ${message.error.message}`))
    }
  })
  void child.exited.then(() => {
    const why = child.exitReason() ?? `node ${nodeId} exited`
    for (const waiter of pending.values()) waiter.reject(new Error(why))
    pending.clear()
    onReady?.(new Error(`${why} before it was ready`))
  })

  /** A command's answer; with timeoutMs, a node that does not answer in time is an error that says so. */
  const call = <T>(body: NodeCommand, timeoutMs?: number): Promise<T> => {
    const reason = child.exitReason()
    if (reason) return Promise.reject(new Error(reason))
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              pending.delete(id)
              reject(new Error(`node ${nodeId} did not answer ${body.command} in ${timeoutMs} ms`))
            }, timeoutMs)
      const settle = (fn: () => void) => {
        clearTimeout(timer)
        fn()
      }
      pending.set(id, {
        resolve: (value) => settle(() => resolve(value as T)),
        reject: (error) => settle(() => reject(error)),
      })
      channel.send({ id, body })
    })
  }

  let stopping: Promise<void> | undefined
  const handle: ClusterNode = {
    nodeId,
    pid: child.pid,
    send: (xml) => call<SendOutcome>({ command: 'send', xml }),
    request: (xml, timeoutMs = 10_000) => call<string>({ command: 'request', xml, timeoutMs }),
    burst: (burst) => call<BurstResult>({ command: 'burst', burst }),
    // status() is synchronous in the node: an answer late by seconds means its event loop is stuck.
    status: () => call<Record<string, unknown>>({ command: 'status' }, STATUS_TIMEOUT_MS),
    reportStanzas: (on) => call<void>({ command: 'report-stanzas', on }, STATUS_TIMEOUT_MS),
    events,
    onEvent: (listener) => listeners.add(listener),
    waitForEvent(predicate, timeoutMs = 15_000) {
      const seen = events.find(predicate)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener)
          reject(new Error(`node ${nodeId}: no matching event in ${timeoutMs} ms`))
        }, timeoutMs)
        const listener = (event: ClusterNodeEvent) => {
          if (!predicate(event)) return
          clearTimeout(timer)
          listeners.delete(listener)
          resolve(event)
        }
        listeners.add(listener)
      })
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitReason()) return
        child.signal('SIGCONT') // a paused node cannot stop gracefully
        const graceful = call({ command: 'stop' }).catch(() => undefined)
        const timer = setTimeout(() => void child.stop(), 15_000)
        await Promise.race([graceful.then(() => child.exited), child.exited])
        clearTimeout(timer)
      })()
      return stopping
    },
    signal: (signal) => child.signal(signal),
    exitReason: () => child.exitReason(),
    exited: child.exited,
  }

  const ready = (timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        void child.stop()
        reject(new Error(`node ${nodeId} did not start in ${timeoutMs} ms`))
      }, timeoutMs)
      onReady = (error) => {
        clearTimeout(timer)
        onReady = undefined
        if (error) reject(error)
        else resolve()
      }
    })
  return { handle, ready }
}
