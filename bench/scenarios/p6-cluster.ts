/**
 * P6 cluster: library nodes of c.test in separate processes (`startClusterNode`, one Redis)
 * send to a library receiver d.test (a plain node process). In one run:
 *
 * - the single-node baseline: a plain federation (no cluster) in the same kind of process;
 * - clusters of 1, 2 and 3 nodes: latency of sends on the owner against sends that a
 *   non-owner forwards to it (one at a time, p50/p99 of `send()` until it settles on the
 *   calling node), and throughput with every node sending at once;
 * - failover: the owner SIGKILLed while another node sends; the time until the receiver
 *   gets the first stanza over the new owner's stream.
 *
 * Latencies are measured inside the node processes (IPC stays out of them). Ratios are taken
 * against the baseline of the same run.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BurstResult, type ClusterNode, startClusterNode, startRedis } from '@xmpp-federation/testing'
import { P6_ADDRESSES } from '../lib/addresses.js'
import type { BenchContext } from '../lib/context.js'
import { federationConfig } from '../lib/federation-config.js'
import { figure, type Row, type ScenarioResult } from '../lib/report.js'
import { field, percentileOfSorted } from '../lib/stats.js'

const LEASE_MS = 2_000
const SIZES = [1, 2, 3] as const
const tsconfig = process.env.BENCH_TSCONFIG
  ? path.resolve(process.env.BENCH_TSCONFIG)
  : fileURLToPath(new URL('../tsconfig.run.json', import.meta.url))

interface Latency {
  p50: number
  p99: number
}
interface ClusterRun {
  size: number
  owner: Latency
  forwarded: Latency | undefined
  rate: number
}
interface Run {
  single: { latency: Latency; rate: number }
  clusters: ClusterRun[]
  failoverMs: number
}

export async function runP6(ctx: BenchContext): Promise<ScenarioResult> {
  const sizes = { latency: ctx.options.quick ? 300 : 2_000, load: ctx.options.quick ? 6_000 : 30_000 }
  const redis = await startRedis({
    workdir: ctx.workdir,
    host: P6_ADDRESSES.redis,
    port: 6379,
    name: 'p6-redis',
  })
  const logs = await ctx.workdir.subdir('p6-nodes')
  const receiver = await startClusterNode({
    nodeId: 'p6-receiver',
    consoleLogPath: path.join(logs, 'receiver.log'),
    tsconfig,
    reportStanzas: false,
    config: {
      ...(await federationConfig(ctx.pki, {
        domains: ['d.test'],
        listen: P6_ADDRESSES.receiver,
        routes: { 'c.test': P6_ADDRESSES.nodes[0] },
      })),
    } as Record<string, unknown>,
  })
  const runs: Run[] = []
  try {
    for (let run = 1; run <= ctx.options.runs; run++) {
      const start = async (index: number, cluster: boolean, prefix: string) =>
        startClusterNode({
          nodeId: `n${index + 1}`,
          consoleLogPath: path.join(logs, `${prefix}-n${index + 1}.log`),
          tsconfig,
          reportStanzas: false,
          ...(cluster ? { redisUrl: redis.url, leaseMs: LEASE_MS, prefix } : {}),
          config: (await federationConfig(ctx.pki, {
            domains: ['c.test'],
            listen: P6_ADDRESSES.nodes[index],
            routes: { 'd.test': P6_ADDRESSES.receiver },
          })) as Record<string, unknown>,
        })

      const single = await start(0, false, `r${run}-single`)
      const singleResult = await measureNode(single, sizes)
      await single.stop()
      ctx.log(
        `P6 run ${run}: single node ${Math.round(singleResult.rate)}/s, p50 ${singleResult.latency.p50.toFixed(3)} ms`,
      )

      const clusters: ClusterRun[] = []
      let failoverMs = Number.NaN
      for (const size of SIZES) {
        const prefix = `p6r${run}k${size}`
        const nodes: ClusterNode[] = []
        try {
          for (let i = 0; i < size; i++) nodes.push(await start(i, true, prefix))
          // The first node sends first and takes the pair: it is the owner.
          await burst(nodes[0]!, 'warm-owner-', 50, 1)
          for (const node of nodes.slice(1)) await burst(node, 'warm-fwd-', 50, 1)
          const owner = latencyOf(await burst(nodes[0]!, 'lat-owner-', sizes.latency, 1))
          const forwarded =
            size > 1 ? latencyOf(await burst(nodes[1]!, 'lat-fwd-', sizes.latency, 1)) : undefined
          const all = await Promise.all(
            nodes.map((node) => burst(node, 'load-', Math.round(sizes.load / size), Math.ceil(200 / size))),
          )
          const rate =
            all.reduce((n, r) => n + r.written, 0) / (Math.max(...all.map((r) => r.elapsedMs)) / 1000)
          clusters.push({ size, owner, forwarded, rate })
          ctx.log(
            `P6 run ${run}: ${size} node(s) ${Math.round(rate)}/s, owner p50 ${owner.p50.toFixed(3)} ms` +
              (forwarded ? `, forwarded p50 ${forwarded.p50.toFixed(3)} ms` : ''),
          )
          if (size === SIZES[SIZES.length - 1]) failoverMs = await measureFailover(nodes, receiver)
        } finally {
          await Promise.allSettled(nodes.map((node) => node.stop()))
        }
      }
      ctx.log(`P6 run ${run}: failover ${Math.round(failoverMs)} ms (lease ${LEASE_MS} ms)`)
      runs.push({ single: singleResult, clusters, failoverMs })
    }
  } finally {
    await receiver.stop()
    await redis.stop()
  }
  return {
    id: 'P6',
    title: `cluster: c.test on 1–3 node processes with one Redis → library receiver d.test (lease ${LEASE_MS} ms)`,
    goal: 'forwarded send ≤ 1 ms p50 more than on the owner; cluster throughput ≥ 80% of a single node; failover ≤ 2 × lease',
    notes: [
      `latency: ${sizes.latency} sends one at a time, send() until it settles on the calling node; load: ${sizes.load} sends, 200 in flight over all nodes`,
      'single node: a plain federation (no cluster) in the same kind of process, measured in the same run',
      'failover: the owner SIGKILLed while another node sends one at a time; until the first stanza over the new owner’s stream',
    ],
    rows: rows(runs),
    raw: runs,
  }
}

async function measureNode(node: ClusterNode, sizes: { latency: number; load: number }) {
  await burst(node, 'warm-', 50, 1)
  const latency = latencyOf(await burst(node, 'lat-', sizes.latency, 1))
  const load = await burst(node, 'load-', sizes.load, 200)
  return { latency, rate: load.written / (load.elapsedMs / 1000) }
}

function burst(
  node: ClusterNode,
  bodyPrefix: string,
  count: number,
  concurrency: number,
): Promise<BurstResult> {
  return node.burst({
    from: 'bot@c.test',
    to: 'eve@d.test',
    count,
    concurrency,
    bodyPrefix: `${node.nodeId}-${bodyPrefix}`,
  })
}

function latencyOf(result: BurstResult): Latency {
  if (result.written !== result.latenciesMs.length) {
    throw new Error(
      `${result.latenciesMs.length - result.written} sends bounced: ${JSON.stringify(result.bounced)}`,
    )
  }
  const sorted = Float64Array.from(result.latenciesMs).sort()
  return { p50: percentileOfSorted(sorted, 50), p99: percentileOfSorted(sorted, 99) }
}

/** Owner (nodes[0]) SIGKILLed while nodes[1] sends; ms until the receiver has a stanza over a new stream. */
async function measureFailover(nodes: ClusterNode[], receiver: ClusterNode): Promise<number> {
  await receiver.reportStanzas(true)
  try {
    const sender = nodes[1]!
    const sending = sender.burst({
      from: 'bot@c.test',
      to: 'eve@d.test',
      count: Math.round((LEASE_MS * 4) / 5),
      concurrency: 1,
      intervalMs: 5,
      bodyPrefix: 'failover-',
    })
    await new Promise((resolve) => setTimeout(resolve, 500))
    const killedAt = Date.now()
    nodes[0]!.signal('SIGKILL')
    const session = await receiver.waitForEvent(
      (e) =>
        e.name === 'session' &&
        e.at >= killedAt &&
        e.data.direction === 'inbound' &&
        e.data.state === 'established',
      LEASE_MS * 5,
    )
    const first = await receiver.waitForEvent((e) => e.name === 'stanza' && e.at >= session.at, LEASE_MS * 5)
    await sending
    return first.at - killedAt
  } finally {
    await receiver.reportStanzas(false)
  }
}

function rows(runs: Run[]): Row[] {
  const out: Row[] = [
    {
      label: 'single node (no cluster)',
      figures: [
        figure(
          'stanzas/s',
          '',
          field(runs, (r) => r.single.rate),
        ),
        figure(
          'p50 ms',
          '',
          field(runs, (r) => r.single.latency.p50),
        ),
        figure(
          'p99 ms',
          '',
          field(runs, (r) => r.single.latency.p99),
        ),
      ],
    },
  ]
  for (const [i, size] of SIZES.entries()) {
    const at = (r: Run) => r.clusters[i]!
    out.push({
      label: `${size} node${size === 1 ? '' : 's'}, send on the owner`,
      figures: [
        figure(
          'p50 ms',
          '',
          field(runs, (r) => at(r).owner.p50),
        ),
        figure(
          'p99 ms',
          '',
          field(runs, (r) => at(r).owner.p99),
        ),
        figure(
          'p50 over single node',
          'ms',
          field(runs, (r) => at(r).owner.p50 - r.single.latency.p50),
        ),
      ],
    })
    if (size > 1) {
      out.push({
        label: `${size} nodes, send forwarded to the owner`,
        figures: [
          figure(
            'p50 ms',
            '',
            field(runs, (r) => at(r).forwarded!.p50),
          ),
          figure(
            'p99 ms',
            '',
            field(runs, (r) => at(r).forwarded!.p99),
          ),
          figure(
            'p50 over the owner',
            'ms',
            field(runs, (r) => at(r).forwarded!.p50 - at(r).owner.p50),
          ),
        ],
      })
    }
    out.push({
      label: `${size} node${size === 1 ? '' : 's'}, all sending`,
      figures: [
        figure(
          'stanzas/s',
          '',
          field(runs, (r) => at(r).rate),
        ),
        figure(
          'vs single node',
          '×',
          field(runs, (r) => at(r).rate / r.single.rate),
        ),
      ],
    })
  }
  out.push({
    label: `failover, ${SIZES[SIZES.length - 1]} nodes`,
    figures: [
      figure(
        'ms',
        '',
        field(runs, (r) => r.failoverMs),
      ),
      figure(
        '× lease',
        '×',
        field(runs, (r) => r.failoverMs / LEASE_MS),
      ),
    ],
  })
  return out
}
