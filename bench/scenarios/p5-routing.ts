/**
 * P5 routing scale: the per-stanza cost with 1, 100 and 1000 active remote domains. c.test
 * sends to r1.test ... rK.test round-robin, all served by one receiving federation (one
 * certificate per domain), over K established outbound streams. Same flow control and timing
 * as P1; each K's figures are also given relative to K = first in the same run.
 *
 * Baseline, in the same run: the P1 baseline (node:tls + ltx) over K connections, round-robin.
 * Spreading a load over K sockets costs by itself (a write, a TLS record and a read per
 * stanza instead of per burst); the baseline shows how much of the growth that is.
 */
import { ADDRESSES, PORT } from '../lib/addresses.js'
import type { BenchContext } from '../lib/context.js'
import { federationConfig } from '../lib/federation-config.js'
import { type LoadResult, runLoad } from '../lib/load.js'
import { figure, type Row, type ScenarioResult } from '../lib/report.js'
import { field } from '../lib/stats.js'
import { startWorker, type Worker } from '../lib/worker-client.js'

/** Links come up in waves of this many (each one is two TLS handshakes: there and back). */
const WAVE = 100

const VARIANTS = ['baseline', 'library'] as const
type Variant = (typeof VARIANTS)[number]

export async function runP5(ctx: BenchContext): Promise<ScenarioResult> {
  const counts = ctx.options.p5domains
  const max = Math.max(...counts)
  const all = Array.from({ length: max }, (_, i) => `r${i + 1}.test`)
  await ctx.pki.issueAll(all)
  const runs: Record<Variant, LoadResult[]>[] = []
  for (let run = 1; run <= ctx.options.runs; run++) {
    const results: Record<Variant, LoadResult[]> = { baseline: [], library: [] }
    for (const count of counts) {
      for (const variant of VARIANTS) {
        const r = await measure(ctx, run, variant, all.slice(0, count))
        results[variant].push(r)
        ctx.log(
          `P5 run ${run}/${ctx.options.runs}, ${variant}, ${count} domains: ${Math.round(r.rate)} stanzas/s, ` +
            `${r.senderCpuUsPerStanza.toFixed(2)} / ${r.receiverCpuUsPerStanza.toFixed(2)} CPU µs per stanza`,
        )
      }
    }
    runs.push(results)
  }
  const rows: Row[] = VARIANTS.flatMap((variant) =>
    counts.map((count, i) => {
      const pick = (f: (r: LoadResult) => number) => field(runs, (r) => f(r[variant][i]!))
      const growth = (f: (r: LoadResult) => number) =>
        field(runs, (r) => f(r[variant][i]!) / f(r[variant][0]!))
      const versus = (f: (r: LoadResult) => number) =>
        field(runs, (r) => f(r.library[i]!) / f(r.baseline[i]!))
      return {
        label: `${variant === 'library' ? 'library' : 'baseline node:tls + ltx'}, ${count} domain${count === 1 ? '' : 's'}`,
        figures: [
          figure(
            'stanzas/s',
            '',
            pick((r) => r.rate),
          ),
          figure(
            'CPU µs/stanza sender',
            '',
            pick((r) => r.senderCpuUsPerStanza),
          ),
          figure(
            'CPU µs/stanza receiver',
            '',
            pick((r) => r.receiverCpuUsPerStanza),
          ),
          figure(
            `sender cost vs ${counts[0]}`,
            '×',
            growth((r) => r.senderCpuUsPerStanza),
          ),
          figure(
            `receiver cost vs ${counts[0]}`,
            '×',
            growth((r) => r.receiverCpuUsPerStanza),
          ),
          ...(variant === 'library'
            ? [
                figure(
                  'sender vs baseline',
                  '×',
                  versus((r) => r.senderCpuUsPerStanza),
                ),
                figure(
                  'receiver vs baseline',
                  '×',
                  versus((r) => r.receiverCpuUsPerStanza),
                ),
              ]
            : []),
        ],
      }
    }),
  )
  return {
    id: 'P5',
    title: `routing scale: ${ctx.options.p5n} stanzas round-robin over K active remote domains (one stream each)`,
    goal: 'library cost ≤ 1.2× the baseline’s at 1000 domains, sender and receiver (first round: flat in K)',
    notes: [
      'the receiver allows K streams from c.test (policy limits.maxStreams, default 8 per remote domain)',
      'spreading one load over K sockets costs by itself: see the baseline’s growth',
    ],
    rows,
    raw: runs,
  }
}

async function measure(
  ctx: BenchContext,
  run: number,
  variant: Variant,
  domains: string[],
): Promise<LoadResult> {
  const receiver = await startWorker(`p5-${variant}-${domains.length}-receiver-${run}`)
  const sender = await startWorker(`p5-${variant}-${domains.length}-sender-${run}`)
  try {
    if (variant === 'baseline') await setUpBaseline(ctx, sender, receiver, domains)
    else await setUpLibrary(ctx, sender, receiver, domains)
    const { p5n, window } = ctx.options
    await runLoad(sender, receiver, Math.min(5000, p5n / 10), { mode: 'blast', window }) // warm-up
    return await runLoad(sender, receiver, p5n, { mode: 'blast', window }, { profile: ctx.profileDir })
  } finally {
    await Promise.all([sender.stop(), receiver.stop()])
  }
}

async function setUpBaseline(ctx: BenchContext, sender: Worker, receiver: Worker, domains: string[]) {
  const files = async (domain: string) => ({ ...(await ctx.pki.files(domain)), ca: ctx.pki.caFile })
  const to = { host: ADDRESSES.receiver, port: PORT }
  await receiver.call('baseline.listen', { ...to, files: await files(domains[0]!) })
  await sender.call('baseline.connect', {
    local: 'c.test',
    remotes: domains,
    ...to,
    files: await files('c.test'),
  })
}

async function setUpLibrary(ctx: BenchContext, sender: Worker, receiver: Worker, domains: string[]) {
  await receiver.call('federation.start', {
    config: await federationConfig(ctx.pki, {
      domains,
      listen: ADDRESSES.receiver,
      routes: { 'c.test': ADDRESSES.sender },
      certificatePerDomain: true,
      // Every link is a stream from c.test: the policy's default of 8 per remote domain would refuse the 9th.
      maxStreams: domains.length + 8,
    }),
  })
  await sender.call('federation.start', {
    config: await federationConfig(ctx.pki, {
      domains: ['c.test'],
      listen: ADDRESSES.sender,
      routes: Object.fromEntries(domains.map((domain) => [domain, ADDRESSES.receiver])),
    }),
  })
  await bringUp(sender, receiver, domains)
  await sender.call('federation.loadTo', { from: 'load@c.test/bench', domains })
}

/** One message to each domain, a wave at a time: every link is established before the load. */
async function bringUp(sender: Worker, receiver: Worker, domains: string[]): Promise<void> {
  for (let i = 0; i < domains.length; i += WAVE) {
    const wave = domains.slice(i, i + WAVE)
    await sender.call('federation.loadTo', { from: 'load@c.test/bench', domains: wave })
    await runLoad(sender, receiver, wave.length, { mode: 'blast', window: wave.length })
  }
}
