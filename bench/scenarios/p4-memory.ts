/**
 * P4 memory per stream: one process (a createFederation() for m.test) holding 1k, 5k, 10k
 * concurrently authenticated inbound streams, each from its own domain (p1.test...) with its own
 * certificate from the bench CA, authenticated with SASL EXTERNAL. The streams come from four
 * client processes; the server's memory is sampled after a full GC at each level, and the growth
 * over the idle server divided by the number of streams.
 *
 * Baseline, in the same run: a node:tls server holding as many mutually authenticated TLS
 * connections with the same certificates (what Node and OpenSSL cost before any XMPP).
 */
import { ADDRESSES, PORT } from '../lib/addresses.js'
import { sleep } from '../lib/clock.js'
import type { BenchContext } from '../lib/context.js'
import { federationConfig } from '../lib/federation-config.js'
import { figure, type Row, type ScenarioResult } from '../lib/report.js'
import { field } from '../lib/stats.js'
import { startWorker, type Worker } from '../lib/worker-client.js'
import type { MemorySample } from '../sides/memory.js'

const CLIENTS = 4
const KiB = 1024

const VARIANTS = ['baseline', 'library'] as const
type Variant = (typeof VARIANTS)[number]

interface LevelRun {
  readonly streams: number
  /** Server CPU per stream opened (TLS handshake, chain check, EXTERNAL...), µs. */
  readonly serverCpuUsPerOpen: number
  readonly rssPerStreamKiB: number
  readonly heapPerStreamKiB: number
  readonly externalPerStreamKiB: number
  /** Streams opened (TCP, STARTTLS, EXTERNAL) per second while going to this level. */
  readonly openedPerSecond: number
}

export async function runP4(ctx: BenchContext): Promise<ScenarioResult> {
  const levels = [...ctx.options.p4streams].sort((a, b) => a - b)
  const max = levels[levels.length - 1]!
  const domains = Array.from({ length: max }, (_, i) => `p${i + 1}.test`)
  const issued = performance.now()
  await ctx.pki.issueAll(domains)
  ctx.log(`P4 issued ${max} certificates in ${((performance.now() - issued) / 1000).toFixed(1)} s`)
  const certFiles: Record<string, string> = {}
  for (const domain of domains) certFiles[domain] = (await ctx.pki.files(domain)).cert

  const runs: Record<Variant, LevelRun[]>[] = []
  const runCount = Math.min(ctx.options.runs, 3)
  for (let run = 1; run <= runCount; run++) {
    const results = {} as Record<Variant, LevelRun[]>
    for (const variant of VARIANTS) {
      results[variant] = await measure(ctx, run, variant, levels, domains, certFiles)
      ctx.log(
        `P4 run ${run}/${runCount} ${variant}: ${results[variant].map((l) => `${l.streams}: ${l.rssPerStreamKiB.toFixed(1)} KiB RSS, ${l.heapPerStreamKiB.toFixed(1)} KiB heap`).join('; ')}`,
      )
    }
    runs.push(results)
  }
  const rows: Row[] = VARIANTS.flatMap((variant) =>
    levels.map((streams, i) => {
      const pick = (f: (l: LevelRun) => number) => field(runs, (r) => f(r[variant][i]!))
      return {
        label: `${variant === 'library' ? 'library' : 'baseline node:tls'}, ${streams} streams`,
        figures: [
          figure(
            'RSS/stream',
            'KiB',
            pick((l) => l.rssPerStreamKiB),
          ),
          figure(
            'JS heap/stream',
            'KiB',
            pick((l) => l.heapPerStreamKiB),
          ),
          figure(
            'external/stream',
            'KiB',
            pick((l) => l.externalPerStreamKiB),
          ),
          figure(
            'opened/s',
            '',
            pick((l) => l.openedPerSecond),
          ),
          figure(
            'server CPU µs/open',
            '',
            pick((l) => l.serverCpuUsPerOpen),
          ),
          ...(variant === 'library'
            ? [
                figure(
                  'RSS vs baseline',
                  '×',
                  field(runs, (r) => r.library[i]!.rssPerStreamKiB / r.baseline[i]!.rssPerStreamKiB),
                ),
              ]
            : []),
        ],
      }
    }),
  )
  return {
    id: 'P4',
    title: 'memory per authenticated inbound stream (TLS + SASL EXTERNAL, one remote domain each)',
    goal: `≤ 1.25× the baseline’s RSS per stream at ${max} (first round: ≤ 64 KiB)`,
    notes: [
      'growth over the idle server after a full GC, divided by the streams held; RSS includes OpenSSL’s per-connection state',
      `${runCount} runs; clients: ${CLIENTS} processes using @xmpp-federation/stream`,
    ],
    rows,
    raw: runs,
  }
}

async function measure(
  ctx: BenchContext,
  run: number,
  variant: Variant,
  levels: number[],
  domains: string[],
  certFiles: Record<string, string>,
): Promise<LevelRun[]> {
  const server = await startWorker(`p4-${variant}-server-${run}`, { exposeGc: true })
  const clients: Worker[] = []
  try {
    for (let i = 0; i < CLIENTS; i++) clients.push(await startWorker(`p4-${variant}-client-${run}-${i + 1}`))
    if (variant === 'library') {
      await server.call('federation.start', {
        config: await federationConfig(ctx.pki, { domains: ['m.test'], listen: ADDRESSES.memory }),
        // Thousands of streams from two source addresses: the per-address rate would refuse most.
        connectionRate: { perSecond: 1_000_000 },
      })
    } else {
      const files = { ...(await ctx.pki.files('m.test')), ca: ctx.pki.caFile }
      await server.call('baseline.hold', { host: ADDRESSES.memory, port: PORT, files })
    }
    const base = await server.call<MemorySample>('memory.sample')
    // BENCH_P4_SNAPSHOTS=DIR: heap snapshots of the idle server and at the top level, to diff.
    const snapshots = process.env.BENCH_P4_SNAPSHOTS
    const snapshot = (name: string) =>
      snapshots && server.call('memory.snapshot', { file: `${snapshots}/${variant}-${name}.heapsnapshot` })
    await snapshot('idle')
    const results: LevelRun[] = []
    let opened = 0
    for (const level of levels) {
      const batch = domains.slice(opened, level)
      const started = performance.now()
      const cpu = await server.call<number>('traffic.cpu')
      const outcomes = await Promise.all(
        clients.map((client, i) => {
          const mine = batch.filter((_, k) => k % CLIENTS === i)
          const command = variant === 'library' ? 'crowd.open' : 'crowd.openTls'
          return client.call<{ opened: number; failed: number; firstError?: string }>(command, {
            domains: mine,
            certFiles: Object.fromEntries(mine.map((d) => [d, certFiles[d]])),
            keyFile: ctx.pki.keyFile,
            caFile: ctx.pki.caFile,
            remote: 'm.test',
            host: ADDRESSES.memory,
            port: PORT,
            localAddress: ADDRESSES.memoryClients[i % ADDRESSES.memoryClients.length],
            concurrency: 16,
          })
        }),
      )
      const failed = outcomes.reduce((sum, o) => sum + o.failed, 0)
      if (failed > 0)
        throw new Error(`${failed} streams failed to open: ${outcomes.find((o) => o.firstError)?.firstError}`)
      await waitForHeld(server, variant, level)
      const seconds = (performance.now() - started) / 1000
      const serverCpuUs = (await server.call<number>('traffic.cpu')) - cpu
      opened = level
      const now = await server.call<MemorySample>('memory.sample')
      results.push({
        streams: level,
        rssPerStreamKiB: (now.rss - base.rss) / level / KiB,
        heapPerStreamKiB: (now.heapUsed - base.heapUsed) / level / KiB,
        externalPerStreamKiB: (now.external - base.external) / level / KiB,
        openedPerSecond: batch.length / seconds,
        serverCpuUsPerOpen: serverCpuUs / batch.length,
      })
      ctx.log(`P4 run ${run} ${variant}: ${level} streams held, ${(now.rss / 2 ** 20).toFixed(0)} MiB RSS`)
    }
    await snapshot(String(opened))
    return results
  } finally {
    await Promise.all(clients.map((client) => client.stop()))
    await server.stop()
  }
}

/** Until the server holds `count` streams (inbound streams authenticate on the server side last). */
async function waitForHeld(server: Worker, variant: Variant, count: number): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const inbound =
      variant === 'library'
        ? (await server.call<{ inbound: number }>('federation.counts')).inbound
        : await server.call<number>('baseline.held')
    if (inbound >= count) return
    if (Date.now() > deadline) throw new Error(`only ${inbound} of ${count} inbound streams established`)
    await sleep(100)
  }
}
