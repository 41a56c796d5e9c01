/**
 * How long does a peer block our event loop with one unterminated token?
 *
 * Feeds `<message to='` + 1 MB of 'a' in 64 KiB chunks (as TCP would deliver it) to ltx's
 * parser, the thing XmlStreamParser replaces, and to XmlStreamParser with the default 512 KiB
 * stanza budget and with the budget raised to 2 MB (so all of the 1 MB is scanned).
 * Each chunk is fed in its own macrotask, like socket 'data' events; the table shows the longest
 * single block and the total, measured with plain timing and cross-checked with
 * perf_hooks.monitorEventLoopDelay.
 *
 *   npx tsx packages/stream/bench/unterminated-token.ts
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setImmediate as nextMacrotask } from 'node:timers/promises'
import * as ltx from 'ltx'
import { XmlStreamParser } from '../src/xml/index.js'

const TOKEN_BYTES = 1024 * 1024
const CHUNK_BYTES = 64 * 1024
const HEADER =
  "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"

function chunks(): Buffer[] {
  const payload = Buffer.concat([Buffer.from("<message to='"), Buffer.alloc(TOKEN_BYTES, 'a')])
  const out: Buffer[] = []
  for (let offset = 0; offset < payload.length; offset += CHUNK_BYTES) {
    out.push(payload.subarray(offset, offset + CHUNK_BYTES))
  }
  return out
}

interface Result {
  name: string
  maxBlockMs: number
  totalMs: number
  loopDelayMaxMs: number
  outcome: string
}

async function measure(name: string, feed: (chunk: Buffer) => void, outcome: () => string): Promise<Result> {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  let maxBlockMs = 0
  let totalMs = 0
  for (const chunk of chunks()) {
    const start = performance.now()
    feed(chunk)
    const took = performance.now() - start
    maxBlockMs = Math.max(maxBlockMs, took)
    totalMs += took
    await nextMacrotask()
  }
  histogram.disable()
  return { name, maxBlockMs, totalMs, loopDelayMaxMs: histogram.max / 1e6, outcome: outcome() }
}

function ltxParser(): Promise<Result> {
  const parser = new ltx.Parser()
  let error = ''
  parser.on('error', (err: Error) => {
    error = err.message
  })
  parser.write(HEADER)
  return measure(
    'ltx.Parser',
    (chunk) => {
      try {
        parser.write(chunk)
      } catch (err) {
        error = (err as Error).message
      }
    },
    () => (error === '' ? 'no error, still buffering' : `error: ${error}`),
  )
}

function ours(name: string, maxStanzaBytes?: number): Promise<Result> {
  let error = ''
  const parser = new XmlStreamParser(
    {
      onStreamStart() {},
      onElement() {},
      onStreamEnd() {},
      onError(err) {
        error = `${err.condition}: ${err.text}`
      },
    },
    maxStanzaBytes === undefined ? {} : { maxStanzaBytes },
  )
  parser.write(Buffer.from(HEADER))
  return measure(
    name,
    (chunk) => parser.write(chunk),
    () => (error === '' ? 'no error, token still open' : error),
  )
}

const results: Result[] = []
// Warm up the JIT once so the first row does not pay for compilation.
await ours('warm-up', 2 * 1024 * 1024)
results.push(await ltxParser())
results.push(await ours('XmlStreamParser (512 KiB budget)'))
results.push(await ours('XmlStreamParser (2 MB budget)', 2 * 1024 * 1024))

const ms = (value: number) => value.toFixed(2).padStart(9)
console.log(`1 MB unterminated token in ${CHUNK_BYTES / 1024} KiB chunks, node ${process.version}`)
console.log(
  `${'parser'.padEnd(34)} ${'max block'.padStart(9)} ${'total'.padStart(9)} ${'loop max'.padStart(9)}  outcome`,
)
for (const r of results) {
  console.log(
    `${r.name.padEnd(34)} ${ms(r.maxBlockMs)} ${ms(r.totalMs)} ${ms(r.loopDelayMaxMs)}  ${r.outcome}`,
  )
}
console.log('(ms; "loop max" is perf_hooks.monitorEventLoopDelay max over the run)')
