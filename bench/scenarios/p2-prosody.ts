/**
 * P2 receiving cost against Prosody: a real @xmpp/client user, alice@a.test, sends N messages
 * through Prosody a.test to b.test (Prosody) and, in the same run, to g.test (our library in a
 * worker process). Both receivers drop what they get: headline messages to an account that does
 * not exist (Prosody discards those, RFC 6121 §8.5.2.1.1 / mod_message), and a no-op handler.
 * A chat message to a logged-in user (bob@b.test / the worker's probe handler) follows the N,
 * on the same s2s stream: when it arrives, all N were processed. CPU from /proc/PID/stat.
 */
import { xml } from '@xmpp-federation/router'
import { ADDRESSES } from '../lib/addresses.js'
import { nowUs, sleep } from '../lib/clock.js'
import type { BenchContext } from '../lib/context.js'
import { procCpuSeconds } from '../lib/cpu.js'
import { federationConfig } from '../lib/federation-config.js'
import { loadBody } from '../lib/message.js'
import { probeArrival } from '../lib/probe.js'
import { type ProsodyPair, startProsodyPair } from '../lib/prosody-peers.js'
import { figure, type ScenarioResult } from '../lib/report.js'
import { field } from '../lib/stats.js'
import { startWorker, type Worker } from '../lib/worker-client.js'

type Target = 'prosody' | 'library'

interface TargetRun {
  readonly rate: number
  /** CPU seconds per 1000 messages of the receiving process, and of Prosody a.test (sending). */
  readonly receiverCpuPer1k: number
  readonly senderCpuPer1k: number
}

export async function runP2(ctx: BenchContext): Promise<ScenarioResult> {
  const { options } = ctx
  const gateway = await startWorker('p2-gateway')
  let pair: ProsodyPair | undefined
  try {
    pair = await startProsodyPair(ctx, { 'g.test': ADDRESSES.gateway })
    await gateway.call('federation.start', {
      config: await federationConfig(ctx.pki, {
        domains: ['g.test'],
        listen: ADDRESSES.gateway,
        routes: { 'a.test': ADDRESSES.prosodyA },
      }),
    })
    // Both s2s links come up before anything is measured (P3 measures that).
    await sendProbe(pair, gateway, 'library', 'warm')
    await sendProbe(pair, gateway, 'prosody', 'warm')
    const runs: Record<Target, TargetRun>[] = []
    for (let run = 1; run <= options.runs; run++) {
      const order: Target[] = run % 2 === 1 ? ['prosody', 'library'] : ['library', 'prosody']
      const results = {} as Record<Target, TargetRun>
      for (const target of order) {
        results[target] = await measure(pair, gateway, target, options.p2n, run)
        ctx.log(
          `P2 run ${run}/${options.runs} → ${target}: ${Math.round(results[target].rate)} msg/s, ` +
            `receiver ${results[target].receiverCpuPer1k.toFixed(3)} CPU s per 1k`,
        )
      }
      runs.push(results)
    }
    const row = (target: Target, label: string) => ({
      label,
      figures: [
        figure(
          'msg/s',
          '',
          field(runs, (r) => r[target].rate),
        ),
        figure(
          'receiver CPU s/1k',
          '',
          field(runs, (r) => r[target].receiverCpuPer1k),
        ),
        figure(
          'Prosody a.test CPU s/1k',
          '',
          field(runs, (r) => r[target].senderCpuPer1k),
        ),
        ...(target === 'library'
          ? [
              figure(
                'receiver CPU vs Prosody',
                '×',
                field(runs, (r) => r.library.receiverCpuPer1k / r.prosody.receiverCpuPer1k),
              ),
            ]
          : []),
      ],
    })
    return {
      id: 'P2',
      title: `receiving cost against Prosody, ${options.p2n} messages from alice@a.test (@xmpp/client) per run`,
      goal: 'our receiver ≤ 1/3 of Prosody’s CPU per stanza (ratio ≤ 0.33×)',
      notes: [
        'Prosody 0.12 with Nagle off, TLS + SASL EXTERNAL on both links; receivers drop the messages',
        'CPU: utime+stime of the receiving process from /proc/PID/stat, 10 ms resolution',
      ],
      rows: [
        row('prosody', 'Prosody a.test → Prosody b.test'),
        row('library', 'Prosody a.test → library g.test'),
      ],
      raw: runs,
    }
  } finally {
    await gateway.stop()
    await pair?.stop()
  }
}

async function measure(
  pair: ProsodyPair,
  gateway: Worker,
  target: Target,
  n: number,
  run: number,
): Promise<TargetRun> {
  const domain = target === 'prosody' ? 'b.test' : 'g.test'
  const receiverPid = target === 'prosody' ? pair.b.pid : gateway.pid
  await sleep(300) // let the previous burst's tail settle
  const receiverCpu = procCpuSeconds(receiverPid)
  const senderCpu = procCpuSeconds(pair.a.pid)
  const started = nowUs()
  for (let i = 0; i < n; i++) {
    void pair.alice.send(
      xml(
        'message',
        { to: `nobody@${domain}`, type: 'headline', id: `h${i}` },
        xml('body', {}, loadBody(i, nowUs())),
      ),
    )
  }
  const arrivedUs = await sendProbe(pair, gateway, target, `end-${run}`)
  return {
    rate: n / ((arrivedUs - started) / 1e6),
    receiverCpuPer1k: (procCpuSeconds(receiverPid) - receiverCpu) / (n / 1000),
    senderCpuPer1k: (procCpuSeconds(pair.a.pid) - senderCpu) / (n / 1000),
  }
}

/** A chat message from alice to a user who reads it; resolves with its arrival time (µs). */
async function sendProbe(pair: ProsodyPair, gateway: Worker, target: Target, id: string): Promise<number> {
  const stanzaId = `probe-${target}-${id}`
  const to = target === 'prosody' ? 'bob@b.test' : 'sink@g.test'
  const arrival =
    target === 'prosody'
      ? pair.bob.nextStanza((s) => s.attrs.id === stanzaId, 120_000).then(() => nowUs())
      : probeArrival(gateway, stanzaId, 120_000)
  await pair.alice.send(xml('message', { to, type: 'chat', id: stanzaId }, xml('body', {}, id)))
  return arrival
}
