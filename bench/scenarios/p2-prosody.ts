/**
 * P2 receiving cost against Prosody and ejabberd: a real @xmpp/client user, alice@a.test, sends
 * N messages through Prosody a.test to b.test (Prosody), to e.test (ejabberd 23.01) and, in the
 * same run, to g.test (our library in a worker process). Every receiver drops what it gets:
 * headline messages to an account that does not exist (Prosody and ejabberd discard those,
 * RFC 6121 §8.5.2.1.1), and a no-op handler. A probe follows the N on the same s2s stream: a
 * chat message to a logged-in user (bob@b.test / the worker's probe handler), or for ejabberd
 * a ping of e.test itself; when it arrives, all N were processed. CPU from /proc/PID/stat
 * (ejabberd: its Erlang VM).
 */
import { xml } from '@xmpp-federation/router'
import { ADDRESSES } from '../lib/addresses.js'
import { nowUs, sleep } from '../lib/clock.js'
import type { BenchContext } from '../lib/context.js'
import { procCpuSeconds } from '../lib/cpu.js'
import { type EjabberdReceiver, ejabberdUnavailable, startEjabberdReceiver } from '../lib/ejabberd-peer.js'
import { federationConfig } from '../lib/federation-config.js'
import { loadBody } from '../lib/message.js'
import { probeArrival } from '../lib/probe.js'
import { type ProsodyPair, startProsodyPair } from '../lib/prosody-peers.js'
import { figure, type ScenarioResult } from '../lib/report.js'
import { field } from '../lib/stats.js'
import { startWorker, type Worker } from '../lib/worker-client.js'

type Target = 'prosody' | 'ejabberd' | 'library'

interface TargetRun {
  readonly rate: number
  /** CPU seconds per 1000 messages of the receiving process, and of Prosody a.test (sending). */
  readonly receiverCpuPer1k: number
  readonly senderCpuPer1k: number
}

export async function runP2(ctx: BenchContext): Promise<ScenarioResult> {
  const { options } = ctx
  const gateway = await startWorker('p2-gateway')
  const withoutEjabberd = ejabberdUnavailable()
  if (withoutEjabberd) ctx.log(`P2 without ejabberd: ${withoutEjabberd}`)
  const targets: Target[] = withoutEjabberd ? ['prosody', 'library'] : ['prosody', 'ejabberd', 'library']
  let pair: ProsodyPair | undefined
  let ejabberd: EjabberdReceiver | undefined
  try {
    pair = await startProsodyPair(ctx, {
      'g.test': ADDRESSES.gateway,
      ...(withoutEjabberd ? {} : { 'e.test': ADDRESSES.ejabberd }),
    })
    if (!withoutEjabberd) ejabberd = await startEjabberdReceiver(ctx, pair)
    const receivers: Receivers = { pair, gateway, ejabberd }
    await gateway.call('federation.start', {
      config: await federationConfig(ctx.pki, {
        domains: ['g.test'],
        listen: ADDRESSES.gateway,
        routes: { 'a.test': ADDRESSES.prosodyA },
      }),
    })
    // Every s2s link comes up before anything is measured (P3 measures that).
    for (const target of targets) await sendProbe(receivers, target, 'warm')
    const runs: Partial<Record<Target, TargetRun>>[] = []
    for (let run = 1; run <= options.runs; run++) {
      // Rotated, so that no receiver always runs first (or right after the same one).
      const order = targets.map((_, i) => targets[(i + run - 1) % targets.length]!)
      const results: Partial<Record<Target, TargetRun>> = {}
      for (const target of order) {
        const result = await measure(receivers, target, options.p2n, run)
        results[target] = result
        ctx.log(
          `P2 run ${run}/${options.runs} → ${target}: ${Math.round(result.rate)} msg/s, ` +
            `receiver ${result.receiverCpuPer1k.toFixed(3)} CPU s per 1k`,
        )
      }
      runs.push(results)
    }
    const of = (r: Partial<Record<Target, TargetRun>>, target: Target) => r[target] ?? MISSING
    const versus = (other: Target, label: string) =>
      figure(
        label,
        '×',
        field(runs, (r) => of(r, 'library').receiverCpuPer1k / of(r, other).receiverCpuPer1k),
      )
    const row = (target: Target, label: string) => ({
      label,
      figures: [
        figure(
          'msg/s',
          '',
          field(runs, (r) => of(r, target).rate),
        ),
        figure(
          'receiver CPU s/1k',
          '',
          field(runs, (r) => of(r, target).receiverCpuPer1k),
        ),
        figure(
          'Prosody a.test CPU s/1k',
          '',
          field(runs, (r) => of(r, target).senderCpuPer1k),
        ),
        ...(target === 'library'
          ? [
              versus('prosody', 'receiver CPU vs Prosody'),
              ...(targets.includes('ejabberd') ? [versus('ejabberd', 'receiver CPU vs ejabberd')] : []),
            ]
          : []),
      ],
    })
    return {
      id: 'P2',
      title: `receiving cost against Prosody and ejabberd, ${options.p2n} messages from alice@a.test (@xmpp/client) per run`,
      goal: 'our receiver ≤ 0.2× Prosody’s CPU per stanza; the same ratio against ejabberd reported',
      notes: [
        'Prosody 0.12 with Nagle off, ejabberd 23.01, TLS + SASL EXTERNAL on every link; receivers drop the messages',
        'CPU: utime+stime of the receiving process from /proc/PID/stat (ejabberd: its beam.smp VM), 10 ms resolution',
        'the receivers take turns first from run to run',
        ...(withoutEjabberd ? [`no ejabberd row: ${withoutEjabberd}`] : []),
      ],
      rows: [
        row('prosody', 'Prosody a.test → Prosody b.test'),
        ...(targets.includes('ejabberd') ? [row('ejabberd', 'Prosody a.test → ejabberd e.test')] : []),
        row('library', 'Prosody a.test → library g.test'),
      ],
      raw: runs,
    }
  } finally {
    await gateway.stop()
    await ejabberd?.stop()
    await pair?.stop()
  }
}

/** Everything that receives in P2, and the Prosody pair alice sends through. */
interface Receivers {
  readonly pair: ProsodyPair
  readonly gateway: Worker
  readonly ejabberd: EjabberdReceiver | undefined
}

const MISSING: TargetRun = { rate: Number.NaN, receiverCpuPer1k: Number.NaN, senderCpuPer1k: Number.NaN }

const DOMAIN: Record<Target, string> = { prosody: 'b.test', ejabberd: 'e.test', library: 'g.test' }

async function measure(receivers: Receivers, target: Target, n: number, run: number): Promise<TargetRun> {
  const { pair } = receivers
  const domain = DOMAIN[target]
  const receiverPid =
    target === 'prosody'
      ? pair.b.pid
      : target === 'ejabberd'
        ? receivers.ejabberd!.vmPid
        : receivers.gateway.pid
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
  const arrivedUs = await sendProbe(receivers, target, `end-${run}`)
  return {
    rate: n / ((arrivedUs - started) / 1e6),
    receiverCpuPer1k: (procCpuSeconds(receiverPid) - receiverCpu) / (n / 1000),
    senderCpuPer1k: (procCpuSeconds(pair.a.pid) - senderCpu) / (n / 1000),
  }
}

/** A chat message from alice to a user who reads it; resolves with its arrival time (µs). */
async function sendProbe(receivers: Receivers, target: Target, id: string): Promise<number> {
  const stanzaId = `probe-${target}-${id}`
  const to = target === 'library' ? 'sink@g.test' : 'bob@b.test'
  if (target === 'ejabberd') return pingArrival(receivers.pair, stanzaId)
  const arrival =
    target === 'prosody'
      ? receivers.pair.bob.nextStanza((s) => s.attrs.id === stanzaId, 120_000).then(() => nowUs())
      : probeArrival(receivers.gateway, stanzaId, 120_000)
  await receivers.pair.alice.send(xml('message', { to, type: 'chat', id: stanzaId }, xml('body', {}, id)))
  return arrival
}

/**
 * ejabberd's probe: an XEP-0199 ping of e.test from alice, answered after every message before
 * it (one s2s stream, in order); resolves when the answer reaches alice (µs). A chat message to
 * a logged-in bob@e.test never reached him in this setup (ejabberd logged the stream as
 * authenticated and nothing else), so the probe goes to the server itself; the answer's way
 * back is one more warm hop, inside the CPU figures' 10 ms resolution.
 */
async function pingArrival(pair: ProsodyPair, id: string): Promise<number> {
  await pair.alice.request(
    xml('iq', { type: 'get', to: 'e.test', id }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
    120_000,
  )
  return nowUs()
}
