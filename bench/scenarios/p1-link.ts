/**
 * P1 link throughput: one TLS stream authenticated with SASL EXTERNAL, c.test → d.test, sender
 * and receiver in two processes. Three variants per run, in the same run:
 * - baseline: node:tls socket pair + ltx's SAX parser (the floor our dependencies set);
 * - stream: @xmpp-federation/stream alone (connectStream / listen);
 * - library: createFederation() on both sides (what a host uses).
 */
import { ADDRESSES, PORT } from '../lib/addresses.js'
import type { BenchContext } from '../lib/context.js'
import { federationConfig } from '../lib/federation-config.js'
import { type LoadResult, runLoad } from '../lib/load.js'
import { probe } from '../lib/probe.js'
import { figure, type Row, type ScenarioResult } from '../lib/report.js'
import { field } from '../lib/stats.js'
import { startWorker, type Worker } from '../lib/worker-client.js'

const VARIANTS = ['baseline', 'stream', 'library'] as const
type Variant = (typeof VARIANTS)[number]

interface VariantRun {
  readonly throughput: LoadResult
  readonly latency: LoadResult
}

export async function runP1(ctx: BenchContext): Promise<ScenarioResult> {
  const { options } = ctx
  const variants = VARIANTS.filter((v) => options.p1variants.includes(v))
  const runs: Record<Variant, VariantRun>[] = []
  for (let run = 1; run <= options.runs; run++) {
    const results = {} as Record<Variant, VariantRun>
    for (const variant of variants) {
      results[variant] = await measure(ctx, variant, run)
      const t = results[variant].throughput
      ctx.log(
        `P1 run ${run}/${options.runs} ${variant}: ${Math.round(t.rate)} stanzas/s, ` +
          `p99 ${Math.round(results[variant].latency.latencyUs!.p99)} µs at ${Math.round(results[variant].latency.rate)}/s`,
      )
    }
    runs.push(results)
  }
  const rows: Row[] = variants.map((variant) => {
    const pick = (f: (r: VariantRun) => number) => field(runs, (r) => f(r[variant]))
    const figures = [
      figure(
        'stanzas/s',
        '',
        pick((r) => r.throughput.rate),
      ),
      figure(
        'CPU µs/stanza sender',
        '',
        pick((r) => r.throughput.senderCpuUsPerStanza),
      ),
      figure(
        'CPU µs/stanza receiver',
        '',
        pick((r) => r.throughput.receiverCpuUsPerStanza),
      ),
      figure(
        'writes/stanza sender',
        '',
        pick((r) => r.throughput.senderWritesPerStanza),
      ),
      figure(
        'reads/stanza receiver',
        '',
        pick((r) => r.throughput.receiverReadsPerStanza),
      ),
      figure(
        'p50 latency',
        'ms',
        pick((r) => r.latency.latencyUs!.p50 / 1000),
      ),
      figure(
        'p99 latency',
        'ms',
        pick((r) => r.latency.latencyUs!.p99 / 1000),
      ),
    ]
    if (variant !== 'baseline' && variants.includes('baseline')) {
      figures.push(
        figure(
          'rate vs baseline',
          '×',
          field(runs, (r) => r[variant].throughput.rate / r.baseline.throughput.rate),
        ),
      )
    }
    return { label: LABELS[variant], figures }
  })
  return {
    id: 'P1',
    title: `link throughput, ${options.n} messages of ~200 bytes over one TLS stream (EXTERNAL)`,
    goal: 'library → library ≥ 0.75× the baseline’s rate, p99 at half rate ≤ the baseline’s (first round: ≥ 100000 stanzas/s)',
    notes: [
      'latency: one-way, sent at half of the same run’s maximum rate of that variant',
      'flow control: at most 20000 stanzas unacknowledged (receiver progress relayed to the sender)',
      'writes/reads: write and read system calls per stanza (/proc/self/io), TLS and IPC included',
    ],
    rows,
    raw: runs,
  }
}

const LABELS: Record<Variant, string> = {
  baseline: 'baseline: node:tls + ltx parser',
  stream: '@xmpp-federation/stream only',
  library: 'library → library (createFederation)',
}

async function measure(ctx: BenchContext, variant: Variant, run: number): Promise<VariantRun> {
  const receiver = await startWorker(`p1-${variant}-receiver-${run}`)
  const sender = await startWorker(`p1-${variant}-sender-${run}`)
  try {
    await setUp(ctx, variant, sender, receiver)
    const { n, window, latencySeconds } = ctx.options
    await runLoad(sender, receiver, Math.min(5000, Math.ceil(n / 10)), { mode: 'blast', window }) // warm-up
    const throughput = await runLoad(
      sender,
      receiver,
      n,
      { mode: 'blast', window },
      { profile: ctx.profileDir },
    )
    const rate = throughput.rate / 2
    const count = Math.max(1000, Math.round(rate * latencySeconds))
    const latency = await runLoad(sender, receiver, count, { mode: 'paced', rate }, { latency: true })
    return { throughput, latency }
  } finally {
    await Promise.all([sender.stop(), receiver.stop()])
  }
}

async function setUp(ctx: BenchContext, variant: Variant, sender: Worker, receiver: Worker): Promise<void> {
  const { pki } = ctx
  const files = async (domain: string) => ({ ...(await pki.files(domain)), ca: pki.caFile })
  const to = { host: ADDRESSES.receiver, port: PORT }
  switch (variant) {
    case 'baseline':
      await receiver.call('baseline.listen', { ...to, files: await files('d.test') })
      await sender.call('baseline.connect', {
        local: 'c.test',
        remotes: ['d.test'],
        ...to,
        files: await files('c.test'),
      })
      return
    case 'stream':
      await receiver.call('stream.listen', { domain: 'd.test', ...to, files: await files('d.test') })
      await sender.call('stream.connect', {
        local: 'c.test',
        remote: 'd.test',
        ...to,
        files: await files('c.test'),
      })
      return
    case 'library':
      await receiver.call('federation.start', {
        config: await federationConfig(pki, {
          domains: ['d.test'],
          listen: ADDRESSES.receiver,
          routes: { 'c.test': ADDRESSES.sender },
        }),
      })
      await sender.call('federation.start', {
        config: await federationConfig(pki, {
          domains: ['c.test'],
          listen: ADDRESSES.sender,
          routes: { 'd.test': ADDRESSES.receiver },
        }),
      })
      // The link comes up with one message: load sent while it connects would overflow the queue.
      await probe(sender, receiver, { from: 'load@c.test/bench', to: 'sink@d.test', id: 'link-up' })
      await sender.call('federation.loadTo', { from: 'load@c.test/bench', domains: ['d.test'] })
      return
  }
}
