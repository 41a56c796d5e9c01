/**
 * P3 cold link: from send() on a domain pair with no stream yet to delivery, for
 * library → library, library → Prosody and Prosody → Prosody (Nagle off), with RSA-2048 and with
 * ECDSA P-256 certificates (see p3-cases.ts), in the same run; then the same once more through
 * byte-counting relays to count the network round trips.
 *
 * Every library measurement uses freshly started federations (no stream, no cached peer
 * software answer); Prosody's link is closed through its admin shell before each cold message.
 * Delivery: the receiving federation's handler, or bob@b.test's client (one c2s hop, which
 * the warm figure shows; so does the c2s hop from alice in Prosody → Prosody).
 */
import type { FederationConfigInput } from '@xmpp-federation/config'
import { xml } from '@xmpp-federation/router'
import type { KeyType } from '@xmpp-federation/testing'
import { ADDRESSES, PORT } from '../lib/addresses.js'
import { nowUs, sleep } from '../lib/clock.js'
import type { BenchContext } from '../lib/context.js'
import { federationConfig } from '../lib/federation-config.js'
import { type BenchPki, createBenchPki } from '../lib/pki.js'
import { probe } from '../lib/probe.js'
import { closeS2s, type ProsodyPair, startProsodyPair } from '../lib/prosody-peers.js'
import { type Relay, roundTrips, startRelay } from '../lib/relay.js'
import { figure, type Row, type ScenarioResult } from '../lib/report.js'
import { field, summarize } from '../lib/stats.js'
import { startWorker, type Worker } from '../lib/worker-client.js'
import { CASE_IDS, CASES, type CaseId, type Path, PHASES, PROSODY_OF } from './p3-cases.js'

const CAPTURE_PASSES = 3

interface Timing {
  /** send() (or the client's send) to delivery, and the same on the now warm link; µs. */
  readonly coldUs: number
  readonly warmUs: number
}

interface Capture {
  readonly roundTrips: number
  readonly perConnection: { roundTrips: number; flights: { dir: string; bytes: number; atUs: number }[] }[]
}

interface Rig {
  readonly ctx: BenchContext
  readonly pair: ProsodyPair
  readonly sender: Worker
  readonly receiver: Worker
  readonly pkis: Record<KeyType, BenchPki>
}

export async function runP3(ctx: BenchContext): Promise<ScenarioResult> {
  const pkis: Record<KeyType, BenchPki> = {
    rsa: ctx.pki,
    'ecdsa-p256': await createBenchPki(await ctx.workdir.subdir('certs-ecdsa'), 'ecdsa-p256'),
  }
  const sender = await startWorker('p3-sender')
  const receiver = await startWorker('p3-receiver')
  // Round i of every phase fills runs[i], so each round's ratios pair cases by round.
  const runs = Array.from({ length: ctx.options.p3repeats }, () => ({}) as Record<CaseId, Timing>)
  const passes = {} as Record<CaseId, Capture[]>
  try {
    for (const phase of PHASES) {
      // c.test answers Prosody on its listener; cr.test is c.test's twin behind the return relay.
      const peers = { 'c.test': ADDRESSES.sender, 'cr.test': ADDRESSES.relayBack }
      ctx.log(`P3 ${phase.keyType} certificates: ${phase.cases.join(', ')}`)
      const pair = await startProsodyPair(ctx, peers, pkis[phase.keyType])
      try {
        await measurePhase({ ctx, pair, sender, receiver, pkis }, phase.cases, runs, passes)
      } finally {
        await pair.stop()
      }
    }
  } finally {
    await Promise.all([sender.stop(), receiver.stop()])
  }
  // Flights are read off the wire, so timing can split one (a TLS 1.3 session ticket arriving
  // on its own looks like one more round trip): the fewest of three passes counts.
  const captures = {} as Record<CaseId, Capture>
  for (const id of CASE_IDS) captures[id] = passes[id].reduce((a, b) => (b.roundTrips < a.roundTrips ? b : a))
  ctx.log(`P3 round trips: ${CASE_IDS.map((id) => `${id} ${captures[id].roundTrips}`).join(', ')}`)
  return {
    id: 'P3',
    title: 'cold link: send() on a new domain pair to delivery (TLS, SASL EXTERNAL)',
    goal: '≤ 10 ms on loopback (library → library, RSA)',
    notes: [
      'round trips: TCP handshake + each flight answered by the peer before delivery, all connections (incl. the peer connecting back), counted by a byte relay; fewest of 3 passes',
      'library → Prosody and Prosody → Prosody end at bob’s client (one c2s hop); Prosody → Prosody also starts at alice’s',
      'certificates: RSA-2048 CA and leaves, or ECDSA P-256 CA and leaves; ECDSA/RSA and "vs Prosody→Prosody" are ratios of cold times within each round, against the case with the same path (resp. the same certificates)',
      'library → library measures RSA and ECDSA in the same rounds; the Prosody ECDSA rows come from a second Prosody pair, started with ECDSA certificates after the RSA rounds, so their ratios pair rounds up to about 20 s apart',
    ],
    rows: CASE_IDS.map((id) => caseRow(id, runs, captures[id])),
    raw: { runs, captures: passes },
  }
}

/**
 * One phase: a pass of its cases not counted (the workers' first federation runs cold
 * JIT-compiled code, a new Prosody pair its own), the timed rounds, then the counted passes.
 */
async function measurePhase(
  rig: Rig,
  cases: readonly CaseId[],
  runs: Record<CaseId, Timing>[],
  passes: Record<CaseId, Capture[]>,
): Promise<void> {
  for (const id of cases) await TIMED[CASES[id].path](rig, pkiOf(rig, id))
  for (const [i, timings] of runs.entries()) {
    for (const id of cases) timings[id] = await TIMED[CASES[id].path](rig, pkiOf(rig, id))
    rig.ctx.log(
      `P3 run ${i + 1}/${runs.length}: cold ${cases.map((id) => `${id} ${(timings[id].coldUs / 1000).toFixed(1)} ms`).join(', ')}`,
    )
  }
  for (const id of cases) {
    passes[id] = []
    for (let pass = 0; pass < CAPTURE_PASSES; pass++) {
      passes[id].push(await CAPTURED[CASES[id].path](rig, pkiOf(rig, id)))
    }
  }
}

/** The certificates of a case; a Prosody pair only has its own. */
function pkiOf(rig: Rig, id: CaseId): BenchPki {
  const { path, keyType } = CASES[id]
  if (path !== 'library' && path !== 'libraryNoCheck' && keyType !== rig.pair.pki.keyType) {
    throw new Error(`P3 ${id} needs a Prosody pair with ${keyType} certificates`)
  }
  return rig.pkis[keyType]
}

function caseRow(id: CaseId, runs: readonly Record<CaseId, Timing>[], capture: Capture): Row {
  const c = CASES[id]
  const prosody = PROSODY_OF[c.keyType]
  const twin = c.rsaTwin
  return {
    label: c.label,
    figures: [
      figure(
        'cold',
        'ms',
        field(runs, (r) => r[id].coldUs / 1000),
      ),
      figure(
        'warm',
        'ms',
        field(runs, (r) => r[id].warmUs / 1000),
      ),
      figure(
        'setup (cold − warm)',
        'ms',
        field(runs, (r) => (r[id].coldUs - r[id].warmUs) / 1000),
      ),
      figure('round trips', '', summarize([capture.roundTrips])),
      ...(twin
        ? [
            figure(
              'cold ECDSA/RSA',
              '×',
              field(runs, (r) => r[id].coldUs / r[twin].coldUs),
            ),
          ]
        : []),
      ...(c.path === 'prosody'
        ? []
        : [
            figure(
              'cold vs Prosody→Prosody',
              '×',
              field(runs, (r) => r[id].coldUs / r[prosody].coldUs),
            ),
          ]),
    ],
  }
}

// ------------------------------------------------------------------ configurations

/**
 * c.test and d.test, fresh. `peerCheck: false` configures no peer software rule, which turns the
 * XEP-0092 query on each new link off (by default "no Cisco Unified Presence 7.x" keeps it on).
 */
async function libraryPair(
  rig: Rig,
  pki: BenchPki,
  via: { out: string; back: string },
  peerCheck = true,
): Promise<void> {
  const policy = peerCheck ? undefined : { peerRules: [] }
  await rig.receiver.call('federation.start', {
    config: await federationConfig(pki, {
      domains: ['d.test'],
      listen: ADDRESSES.receiver,
      routes: { 'c.test': via.back },
      policy,
    }),
  })
  await rig.sender.call('federation.start', {
    config: await federationConfig(pki, {
      domains: ['c.test'],
      listen: ADDRESSES.sender,
      routes: { 'd.test': via.out },
      policy,
    }),
  })
}

async function senderToProsody(rig: Rig, pki: BenchPki, domain: string, via: string): Promise<void> {
  const config: FederationConfigInput = await federationConfig(pki, {
    domains: [domain],
    listen: ADDRESSES.sender,
    routes: { 'b.test': via },
  })
  await rig.sender.call('federation.start', { config })
}

async function stopLibraries(rig: Rig): Promise<void> {
  await Promise.all([rig.sender.call('federation.stop'), rig.receiver.call('federation.stop')])
  await sleep(100) // Prosody notices the closed streams
}

// ------------------------------------------------------------------ single messages

async function libraryToLibrary(rig: Rig, id: string): Promise<{ us: number; deliveredUs: number }> {
  const t = await probe(rig.sender, rig.receiver, { from: 'probe@c.test', to: 'sink@d.test', id })
  return { us: t.deliveredUs - t.sentUs, deliveredUs: t.deliveredUs }
}

async function libraryToProsody(
  rig: Rig,
  from: string,
  id: string,
): Promise<{ us: number; deliveredUs: number }> {
  const stanzaId = `probe-${id}`
  const arrived = rig.pair.bob.nextStanza((s) => s.attrs.id === stanzaId, 30_000).then(() => nowUs())
  const { sentUs } = await rig.sender.call<{ sentUs: number }>('federation.probe', {
    from,
    to: 'bob@b.test',
    id,
  })
  const deliveredUs = await arrived
  return { us: deliveredUs - sentUs, deliveredUs }
}

async function prosodyToProsody(rig: Rig, id: string): Promise<{ us: number; deliveredUs: number }> {
  const stanzaId = `probe-${id}`
  const arrived = rig.pair.bob.nextStanza((s) => s.attrs.id === stanzaId, 30_000).then(() => nowUs())
  const sentUs = nowUs()
  await rig.pair.alice.send(
    xml('message', { to: 'bob@b.test', type: 'chat', id: stanzaId }, xml('body', {}, id)),
  )
  const deliveredUs = await arrived
  return { us: deliveredUs - sentUs, deliveredUs }
}

let sequence = 0
const nextId = (what: string) => `${what}-${++sequence}`

// ------------------------------------------------------------------ timed paths

async function timedLibraries(rig: Rig, pki: BenchPki, peerCheck: boolean): Promise<Timing> {
  await libraryPair(rig, pki, { out: ADDRESSES.receiver, back: ADDRESSES.sender }, peerCheck)
  const cold = await libraryToLibrary(rig, nextId('cold'))
  const warm = await libraryToLibrary(rig, nextId('warm'))
  await stopLibraries(rig)
  return { coldUs: cold.us, warmUs: warm.us }
}

async function countedLibraries(rig: Rig, pki: BenchPki, peerCheck: boolean): Promise<Capture> {
  return throughRelays({ host: ADDRESSES.receiver }, { host: ADDRESSES.sender }, async () => {
    await libraryPair(rig, pki, { out: ADDRESSES.relayOut, back: ADDRESSES.relayBack }, peerCheck)
    try {
      return await libraryToLibrary(rig, nextId('counted'))
    } finally {
      await stopLibraries(rig)
    }
  })
}

// `pki`: the certificates of the case; a Prosody path's must be the pair's own (see pkiOf).
const TIMED: Record<Path, (rig: Rig, pki: BenchPki) => Promise<Timing>> = {
  library: (rig, pki) => timedLibraries(rig, pki, true),
  libraryNoCheck: (rig, pki) => timedLibraries(rig, pki, false),
  async toProsody(rig, pki) {
    await senderToProsody(rig, pki, 'c.test', ADDRESSES.prosodyB)
    const cold = await libraryToProsody(rig, 'probe@c.test', nextId('cold'))
    const warm = await libraryToProsody(rig, 'probe@c.test', nextId('warm'))
    await stopLibraries(rig)
    return { coldUs: cold.us, warmUs: warm.us }
  },
  async prosody(rig) {
    await closeS2s(rig.pair.a, 'b.test')
    await sleep(100)
    const cold = await prosodyToProsody(rig, nextId('cold'))
    const warm = await prosodyToProsody(rig, nextId('warm'))
    return { coldUs: cold.us, warmUs: warm.us }
  },
}

// ------------------------------------------------------------------ counted paths (through relays)

async function throughRelays(
  out: { host: string },
  back: { host: string },
  measure: () => Promise<{ deliveredUs: number }>,
): Promise<Capture> {
  const relays: Relay[] = [
    await startRelay({ host: ADDRESSES.relayOut, port: PORT }, { host: out.host, port: PORT }),
    await startRelay({ host: ADDRESSES.relayBack, port: PORT }, { host: back.host, port: PORT }),
  ]
  try {
    const { deliveredUs } = await measure()
    const perConnection = relays
      .flatMap((relay) => relay.traces)
      .filter((trace) => trace.openedUs < deliveredUs)
      .map((trace) => ({
        roundTrips: roundTrips(trace, deliveredUs),
        flights: trace.flights.map((f) => ({ dir: f.dir, bytes: f.bytes, atUs: f.startUs - trace.openedUs })),
      }))
    return { roundTrips: perConnection.reduce((sum, c) => sum + c.roundTrips, 0), perConnection }
  } finally {
    for (const relay of relays) await relay.stop()
  }
}

const CAPTURED: Record<Path, (rig: Rig, pki: BenchPki) => Promise<Capture>> = {
  library: (rig, pki) => countedLibraries(rig, pki, true),
  libraryNoCheck: (rig, pki) => countedLibraries(rig, pki, false),
  toProsody: (rig, pki) =>
    throughRelays({ host: ADDRESSES.prosodyB }, { host: ADDRESSES.sender }, async () => {
      // cr.test resolves (in Prosody's hosts file) to the return relay in front of our listener.
      await senderToProsody(rig, pki, 'cr.test', ADDRESSES.relayOut)
      try {
        return await libraryToProsody(rig, 'probe@cr.test', nextId('counted'))
      } finally {
        await stopLibraries(rig)
      }
    }),
  prosody: (rig) =>
    throughRelays({ host: ADDRESSES.prosodyB }, { host: ADDRESSES.prosodyA }, async () => {
      await rig.pair.repoint('b.test', ADDRESSES.relayOut)
      try {
        await closeS2s(rig.pair.a, 'b.test')
        await sleep(100)
        return await prosodyToProsody(rig, nextId('counted'))
      } finally {
        await rig.pair.repoint('b.test', ADDRESSES.prosodyB)
      }
    }),
}
