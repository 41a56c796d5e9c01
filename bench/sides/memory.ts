import { writeHeapSnapshot } from 'node:v8'

/** Memory of a worker after a full garbage collection (the worker runs with --expose-gc). */
export interface MemorySample {
  readonly rss: number
  readonly heapUsed: number
  readonly heapTotal: number
  readonly external: number
  readonly arrayBuffers: number
}

async function sample(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('start the worker with exposeGc: true')
  // Twice, with a turn of the event loop between: finalizers and weak callbacks run in between.
  for (let i = 0; i < 2; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage()
  return { rss, heapUsed, heapTotal, external, arrayBuffers }
}

/** A V8 heap snapshot (for where the heap per stream goes; see docs/performance.md). */
async function snapshot(args: { file: string }): Promise<string> {
  await sample()
  return writeHeapSnapshot(args.file)
}

export const memoryCommands = {
  'memory.sample': sample,
  'memory.snapshot': snapshot,
}
