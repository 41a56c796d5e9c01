/**
 * Every peer process this Node process started, so that no test run leaves a
 * server behind: call stopAllPeers() in afterAll, and an exit or a fatal
 * signal kills whatever is left. Only processes we spawned are signalled,
 * through their ChildProcess handle (which cannot hit a recycled pid).
 */
export interface TrackedProcess {
  readonly name: string
  readonly pid: number
  /** Graceful stop; resolves once the process has exited. */
  stop(): Promise<void>
  /** Immediate, synchronous signal (used on exit, where nothing can be awaited). */
  kill(signal: NodeJS.Signals): void
}

// One registry per process, even when a test runner loads this module more
// than once (module isolation): otherwise each copy would install its own
// signal handlers, and none would dare to restore the default action.
interface Registry {
  running: Set<TrackedProcess>
  hooksInstalled: boolean
}
const registryKey = Symbol.for('@xmpp-federation/testing/process-registry')
const globalSlot = globalThis as typeof globalThis & { [registryKey]?: Registry }
globalSlot[registryKey] ??= { running: new Set(), hooksInstalled: false }
const registry = globalSlot[registryKey]
const running = registry.running

/** Registers a started process; the returned function unregisters it (call it once it has exited). */
export function trackProcess(entry: TrackedProcess): () => void {
  installEmergencyHooks()
  running.add(entry)
  return () => running.delete(entry)
}

/** Pids of the tracked processes that are still running. */
export function runningPeerPids(): number[] {
  return [...running].map((entry) => entry.pid)
}

/** Stops every tracked process (in parallel) and waits for them to exit. */
export async function stopAllPeers(): Promise<void> {
  const results = await Promise.allSettled([...running].map((entry) => entry.stop()))
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))
  if (failures.length > 0) throw new AggregateError(failures, 'some peers did not stop cleanly')
}

function killAll(signal: NodeJS.Signals): void {
  for (const entry of running) {
    try {
      entry.kill(signal)
    } catch {
      // already gone
    }
  }
}

const fatalSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

function installEmergencyHooks(): void {
  if (registry.hooksInstalled) return
  registry.hooksInstalled = true
  // 'exit' listeners must be synchronous: SIGKILL cannot be ignored or delayed.
  process.on('exit', () => killAll('SIGKILL'))
  for (const signal of fatalSignals) {
    const onSignal = () => {
      killAll('SIGTERM')
      // If nobody else handles this signal, restore the default action (terminate).
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal)
        process.kill(process.pid, signal)
      }
    }
    process.on(signal, onSignal)
  }
}
