/**
 * The load generator and the load recorder every throughput side shares, so that the library,
 * its stream layer and the plain-TLS baseline are driven and timed by exactly the same code.
 *
 * Flow control: the receiver reports progress every ACK_EVERY stanzas, the parent relays it to
 * the sender, and the sender keeps at most `window` stanzas unacknowledged. Memory stays
 * bounded and the rate is the one the receiving side sustains.
 */
import { nowUs } from '../lib/clock.js'
import { ownCpuUs, ownSyscalls } from '../lib/cpu.js'
import { emit } from '../lib/events.js'
import { sentUsOf } from '../lib/message.js'
import { percentileOfSorted } from '../lib/stats.js'

export const ACK_EVERY = 2000
/** Stanzas written per macrotask before yielding to I/O. */
const BATCH = 256

/** Writes one load stanza: `seq` numbers it, `sentUs` is its send time. */
export type SendOne = (seq: number, sentUs: number) => void

export interface ReceiveResult {
  readonly received: number
  /** Send time of the first stanza and receipt time of the last, µs. */
  readonly firstSentUs: number
  readonly lastReceivedUs: number
  readonly cpuUs: number
  readonly latencyUs?: LatencySummary
}

/** One-way latency of a run: the two percentiles the tables show, and the curve the plot draws. */
export interface LatencySummary {
  readonly p50: number
  readonly p99: number
  readonly max: number
  /** [percentile, µs] at fixed percentiles (DISTRIBUTION_PERCENTILES), for the distribution plot. */
  readonly distribution?: readonly (readonly [number, number])[]
}

/** Where the latency distribution is sampled: dense in the tail, where runs differ. */
export const DISTRIBUTION_PERCENTILES = [
  1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97, 98, 99, 99.5, 99.9, 99.99,
] as const

let send: SendOne | undefined
let acked = 0
let resumePump: (() => void) | undefined

export function setSender(fn: SendOne): void {
  send = fn
}

// --------------------------------------------------------------- receiving

let expected = 0
let received = 0
let firstSentUs = 0
let cpuStart = 0
let latencies: Float64Array | undefined

/** Counts one load stanza; `body` is its body text. */
export function recordLoad(body: string): void {
  if (expected === 0) return
  const now = nowUs()
  if (received === 0) firstSentUs = sentUsOf(body)
  if (latencies) latencies[received] = now - sentUsOf(body)
  received++
  if (received % ACK_EVERY === 0) emit('progress', received)
  if (received === expected) finish(now)
}

function finish(now: number): void {
  const cpuUs = ownCpuUs() - cpuStart
  let latencyUs: ReceiveResult['latencyUs']
  if (latencies) {
    const sorted = latencies.sort()
    latencyUs = {
      p50: percentileOfSorted(sorted, 50),
      p99: percentileOfSorted(sorted, 99),
      max: sorted[sorted.length - 1]!,
      distribution: DISTRIBUTION_PERCENTILES.map((p) => [p, percentileOfSorted(sorted, p)] as const),
    }
  }
  const result: ReceiveResult = { received, firstSentUs, lastReceivedUs: now, cpuUs, latencyUs }
  expected = 0
  latencies = undefined
  emit('done', result)
}

// --------------------------------------------------------------- sending

function blast(count: number, window: number): Promise<{ cpuUs: number }> {
  const cpu = ownCpuUs()
  const write = send!
  let seq = 0
  acked = 0
  return new Promise((resolve) => {
    const pump = () => {
      resumePump = undefined
      let budget = BATCH
      while (seq < count && seq - acked < window && budget-- > 0) write(seq++, nowUs())
      if (seq === count) resolve({ cpuUs: ownCpuUs() - cpu })
      else if (seq - acked < window) setImmediate(pump)
      else resumePump = pump
    }
    pump()
  })
}

/** Sends at `rate` stanzas/s, in steps of about a millisecond (as many as are due each time). */
function paced(count: number, rate: number): Promise<{ cpuUs: number }> {
  const cpu = ownCpuUs()
  const write = send!
  const start = nowUs()
  let seq = 0
  return new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(count, Math.floor(((nowUs() - start) * rate) / 1e6) + 1)
      while (seq < due) write(seq++, nowUs())
      if (seq === count) resolve({ cpuUs: ownCpuUs() - cpu })
      else setTimeout(tick, 1)
    }
    tick()
  })
}

export const trafficCommands = {
  /** Arms the recorder for `count` stanzas; `done` is emitted when the last one arrives. */
  'traffic.expect': (args: { count: number; latency: boolean }) => {
    expected = args.count
    received = 0
    cpuStart = ownCpuUs()
    latencies = args.latency ? new Float64Array(args.count) : undefined
  },
  'traffic.blast': (args: { count: number; window: number }) => blast(args.count, args.window),
  'traffic.paced': (args: { count: number; rate: number }) => paced(args.count, args.rate),
  'traffic.ack': (args: { received: number }) => {
    acked = Math.max(acked, args.received)
    resumePump?.()
  },
  'traffic.cpu': () => ownCpuUs(),
  /** read/write system calls so far: with many stanzas per write, far fewer than stanzas. */
  'traffic.syscalls': () => ownSyscalls(),
}
