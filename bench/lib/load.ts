import type { LatencySummary, ReceiveResult } from '../sides/traffic.js'
import type { Worker } from './worker-client.js'

export interface LoadResult {
  readonly count: number
  /** Stanzas per second: count over first send to last receipt. */
  readonly rate: number
  readonly senderCpuUsPerStanza: number
  readonly receiverCpuUsPerStanza: number
  readonly latencyUs?: LatencySummary
  /** System calls per stanza: writes on the sending side, reads on the receiving side. */
  readonly senderWritesPerStanza: number
  readonly receiverReadsPerStanza: number
  /** The other direction: acks (XEP-0198 `<a/>` and the like) the receiver writes and the sender reads. */
  readonly senderReadsPerStanza: number
  readonly receiverWritesPerStanza: number
}

interface Syscalls {
  reads: number
  writes: number
}

export type Pace = { mode: 'blast'; window: number } | { mode: 'paced'; rate: number }

/**
 * Moves `count` load stanzas from sender to receiver (both already set up) and times it. The
 * receiver's progress reports are relayed to the sender as flow-control acks.
 */
export async function runLoad(
  sender: Worker,
  receiver: Worker,
  count: number,
  pace: Pace,
  options: { latency?: boolean; profile?: string } = {},
): Promise<LoadResult> {
  let progress = 0
  const relay = (received: unknown) => {
    progress = received as number
    sender.post('traffic.ack', { received })
  }
  receiver.on('progress', relay)
  try {
    const done = nextEvent<ReceiveResult>(
      receiver,
      'done',
      () => `${receiver.name} got ${progress} of ${count}`,
    )
    await receiver.call('traffic.expect', { count, latency: options.latency ?? false })
    if (options.profile) await Promise.all([sender.call('profiler.start'), receiver.call('profiler.start')])
    const senderCpu = await sender.call<number>('traffic.cpu')
    const senderIo = await sender.call<Syscalls>('traffic.syscalls')
    const receiverIo = await receiver.call<Syscalls>('traffic.syscalls')
    const sending =
      pace.mode === 'blast'
        ? sender.call('traffic.blast', { count, window: pace.window })
        : sender.call('traffic.paced', { count, rate: pace.rate })
    const result = await Promise.race([done.promise, sending.then(() => done.promise)])
    await sending
    const senderCpuUs = (await sender.call<number>('traffic.cpu')) - senderCpu
    const senderIoAfter = await sender.call<Syscalls>('traffic.syscalls')
    const receiverIoAfter = await receiver.call<Syscalls>('traffic.syscalls')
    if (options.profile) {
      await sender.call('profiler.stop', { file: `${options.profile}/${sender.name}.cpuprofile` })
      await receiver.call('profiler.stop', { file: `${options.profile}/${receiver.name}.cpuprofile` })
    }
    const seconds = (result.lastReceivedUs - result.firstSentUs) / 1e6
    return {
      count,
      rate: count / seconds,
      senderCpuUsPerStanza: senderCpuUs / count,
      receiverCpuUsPerStanza: result.cpuUs / count,
      latencyUs: result.latencyUs,
      senderWritesPerStanza: (senderIoAfter.writes - senderIo.writes) / count,
      receiverReadsPerStanza: (receiverIoAfter.reads - receiverIo.reads) / count,
      senderReadsPerStanza: (senderIoAfter.reads - senderIo.reads) / count,
      receiverWritesPerStanza: (receiverIoAfter.writes - receiverIo.writes) / count,
    }
  } finally {
    receiver.off('progress', relay)
  }
}

/** The worker's next `event`; rejects when no progress was seen for `stallMs`. */
function nextEvent<T>(worker: Worker, event: string, describe: () => string, stallMs = 30_000) {
  let last = ''
  const promise = new Promise<T>((resolve, reject) => {
    const check = setInterval(() => {
      const now = describe()
      if (now === last) {
        clearInterval(check)
        worker.off(event, listener)
        reject(new Error(`stalled: ${now}`))
      }
      last = now
    }, stallMs)
    const listener = (data: unknown) => {
      clearInterval(check)
      worker.off(event, listener)
      resolve(data as T)
    }
    worker.on(event, listener)
  })
  return { promise }
}
