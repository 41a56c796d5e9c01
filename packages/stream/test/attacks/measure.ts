import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/**
 * What an attack test measures: the resource a limit protects, in the process
 * that runs the real listener. Heap is read after a full collection, so garbage
 * the attack left behind does not count, only what it made us keep.
 */
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void

/** Heap in use after a full garbage collection, in MiB. */
export async function heapAfterGcMiB(): Promise<number> {
  // Twice, with a turn between: finalizers of the first pass free more on the second.
  collect()
  await new Promise((resolve) => setImmediate(resolve))
  collect()
  return process.memoryUsage().heapUsed / 2 ** 20
}

/** Open file descriptors of this process. */
export async function openFds(): Promise<number> {
  const { readdir } = await import('node:fs/promises')
  return (await readdir('/proc/self/fd')).length
}

/** Resolves once `condition` holds, or false after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    if (condition()) return true
    await new Promise((resolve) => setTimeout(resolve, stepMs))
  }
  return condition()
}
