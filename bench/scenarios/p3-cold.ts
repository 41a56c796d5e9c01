/**
 * P3 cold link: from send() on a domain pair with no stream yet to delivery, for
 * library → library, library → Prosody and Prosody → Prosody (Nagle off), with RSA-2048 and with
 * ECDSA P-256 certificates (see p3-cases.ts), in the same run; then the same once more through
 * byte-counting relays to count the network round trips.
 *
 * Every library measurement uses freshly started federations (no stream, no cached peer
 * software answer), except the "peer known" cases: the sender first sends one message (and
 * learns the peer's XEP-0092 answer, stale at once but known), the stream is closed, and the
 * next send is the cold one. Direct TLS cases dial XEP-0368 port 5270 instead of STARTTLS on
 * 5269. Prosody's link is closed through its admin shell before each cold message.
 * Delivery: the receiving federation's handler, or bob@b.test's client (one c2s hop, which
 * the warm figure shows; so does the c2s hop from alice in Prosody → Prosody).
 */
import type { FederationConfigInput } from '@xmpp-federation/config'
import { xml } from '@xmpp-federation/router'
import type { KeyType } from '@xmpp-federation/testing'
import { ADDRESSES, DIRECT_TLS_PORT, PORT } from '../lib/addresses.js'
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
  readonly perConnection: {
    openedAfterUs: number
    roundTrips: number
    // chunks: the reads of each flight, [bytes, µs since the connection opened]
    flights: { dir: string; bytes: number; atUs: number; chunks: [number, number][] }[]
  }[]
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
    goal: '≤ 0.7× Prosody → Prosody with fewer round trips (≤ 6); first round: ≤ 10 ms on loopback (library → library, RSA)',
    notes: [
      'round trips: TCP handshake + each flight answered by the peer before delivery, all connections (incl. the peer connecting back), counted by a byte relay; fewest of 3 passes',
      'library → Prosody and Prosody → Prosody end at bob’s client (one c2s hop); Prosody → Prosody also starts at alice’s',
      'certificates: RSA-2048 CA and leaves, or ECDSA P-256 CA and leaves; ECDSA/RSA and "vs Prosody→Prosody" are ratios of cold times within each round, against the case with the same path (resp. the same certificates)',
      'peer known: the same sending federation, a second stream after the first was closed; its XEP-0092 answer is stale (cacheTtlMs 1 ms) but known and allowed, so the stanza does not wait for the new answer (asked meanwhile); direct TLS: XEP-0368 on port 5270 (Prosody b.test: s2s_direct_tls_ports); Prosody → Prosody stays on STARTTLS, its default',
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
  for (const id of cases) await timed(rig, id)
  for (const [i, timings] of runs.entries()) {
    for (const id of cases) timings[id] = await timed(rig, id)
    rig.ctx.log(
      `P3 run ${i + 1}/${runs.length}: cold ${cases.map((id) => `${id} ${(timings[id].coldUs / 1000).toFixed(1)} ms`).join(', ')}`,
    )
  }
  for (const id of cases) {
    passes[id] = []
    for (let pass = 0; pass < CAPTURE_PASSES; pass++) {
      passes[id].push(await counted(rig, id))
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

/** How a case's sender reaches its peer, and what it knows of it. */
interface Setup {
  readonly pki: BenchPki
  /** false: no peer software rule, which turns the XEP-0092 query on each new link off. */
  readonly peerCheck: boolean
  readonly directTls: boolean
  readonly known: boolean
}

function setupOf(rig: Rig, id: CaseId): Setup {
  const c = CASES[id]
  return {
    pki: pkiOf(rig, id),
    peerCheck: c.path !== 'libraryNoCheck',
    directTls: c.directTls === true,
    known: c.known === true,
  }
}

/** Answers stale at once (still known for a day): a second stream meets the known-good rule. */
const STALE_AT_ONCE = { cacheTtlMs: 1 }

/**
 * c.test and d.test, fresh. Without the peer check no peer software rule is configured (by
 * default "no Cisco Unified Presence 7.x" keeps the XEP-0092 query on). d.test always listens
 * for direct TLS too, on 5270; c.test dials it there when the case says so.
 */
async function libraryPair(rig: Rig, setup: Setup, via: { out: string; back: string }): Promise<void> {
  await startReceiver(rig, setup, via.back)
  await rig.sender.call('federation.start', {
    config: await federationConfig(setup.pki, {
      domains: ['c.test'],
      listen: ADDRESSES.sender,
      routes: { 'd.test': setup.directTls ? { host: via.out, directTls: true } : via.out },
      policy: setup.peerCheck ? undefined : { peerRules: [] },
    }),
    ...(setup.known ? { peerSoftware: STALE_AT_ONCE } : {}),
  })
}

/** d.test, fresh; started again, it also closes the sender's stream to it. */
async function startReceiver(rig: Rig, setup: Setup, back: string): Promise<void> {
  await rig.receiver.call('federation.start', {
    config: await federationConfig(setup.pki, {
      domains: ['d.test'],
      listen: ADDRESSES.receiver,
      directTlsListener: true,
      routes: { 'c.test': back },
      policy: setup.peerCheck ? undefined : { peerRules: [] },
    }),
  })
}

async function senderToProsody(rig: Rig, setup: Setup, domain: string, via: string): Promise<void> {
  const config: FederationConfigInput = await federationConfig(setup.pki, {
    domains: [domain],
    listen: ADDRESSES.sender,
    routes: { 'b.test': setup.directTls ? { host: via, directTls: true } : via },
  })
  await rig.sender.call('federation.start', {
    config,
    ...(setup.known ? { peerSoftware: STALE_AT_ONCE } : {}),
  })
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

// ------------------------------------------------------------------ the paths

/**
 * Sets a case up and brings its link to the point where the next send() is the cold one: for a
 * known peer, a first message (its answer learnt), then that stream closed.
 */
const PREPARE: Record<Path, (rig: Rig, setup: Setup, via: Via) => Promise<void>> = {
  library: async (rig, setup, via) => {
    await libraryPair(rig, setup, via)
    if (!setup.known) return
    await libraryToLibrary(rig, nextId('first'))
    await rig.sender.call('federation.settled')
    await startReceiver(rig, setup, via.back)
    await sleep(100) // the sender sees its stream closed
  },
  libraryNoCheck: (rig, setup, via) => libraryPair(rig, setup, via),
  toProsody: async (rig, setup, via) => {
    await senderToProsody(rig, setup, via.from.split('@')[1]!, via.out)
    if (!setup.known) return
    await libraryToProsody(rig, via.from, nextId('first'))
    await rig.sender.call('federation.settled')
    await closeS2s(rig.pair.b, via.from.split('@')[1]!)
    await sleep(100)
  },
  prosody: async (rig) => {
    await closeS2s(rig.pair.a, 'b.test')
    await sleep(100)
  },
}

const SEND: Record<Path, (rig: Rig, via: Via, id: string) => Promise<{ us: number; deliveredUs: number }>> = {
  library: (rig, _via, id) => libraryToLibrary(rig, id),
  libraryNoCheck: (rig, _via, id) => libraryToLibrary(rig, id),
  toProsody: (rig, via, id) => libraryToProsody(rig, via.from, id),
  prosody: (rig, _via, id) => prosodyToProsody(rig, id),
}

/** Where a case's streams go: straight to the peer (timed) or through the relays (counted). */
interface Via {
  /** The sender's address for its peer, and the peer's for the sender. */
  readonly out: string
  readonly back: string
  /** The sending user (its domain resolves, in Prosody's hosts file, to `back`). */
  readonly from: string
}

const DIRECT: Record<Path, Via> = {
  library: { out: ADDRESSES.receiver, back: ADDRESSES.sender, from: 'probe@c.test' },
  libraryNoCheck: { out: ADDRESSES.receiver, back: ADDRESSES.sender, from: 'probe@c.test' },
  toProsody: { out: ADDRESSES.prosodyB, back: ADDRESSES.sender, from: 'probe@c.test' },
  prosody: { out: ADDRESSES.prosodyB, back: ADDRESSES.prosodyA, from: 'alice@a.test' },
}
// cr.test resolves (in Prosody's hosts file) to the return relay in front of our listener.
const RELAYED: Record<Path, Via> = {
  library: { out: ADDRESSES.relayOut, back: ADDRESSES.relayBack, from: 'probe@c.test' },
  libraryNoCheck: { out: ADDRESSES.relayOut, back: ADDRESSES.relayBack, from: 'probe@c.test' },
  toProsody: { out: ADDRESSES.relayOut, back: ADDRESSES.relayBack, from: 'probe@cr.test' },
  prosody: { out: ADDRESSES.relayOut, back: ADDRESSES.relayBack, from: 'alice@a.test' },
}

/** `--profile`: the cases whose cold send (only) both library workers profile. */
const PROFILED: readonly CaseId[] = ['library', 'libraryNoCheck', 'libraryKnown']
let profiles = 0

async function timed(rig: Rig, id: CaseId): Promise<Timing> {
  const { path } = CASES[id]
  const setup = setupOf(rig, id)
  const via = DIRECT[path]
  await PREPARE[path](rig, setup, via)
  const profiled = rig.ctx.profileDir !== undefined && PROFILED.includes(id)
  if (profiled) await Promise.all([rig.sender.call('profiler.start'), rig.receiver.call('profiler.start')])
  const cold = await SEND[path](rig, via, nextId('cold'))
  if (profiled) {
    const file = (side: string) => `${rig.ctx.profileDir}/p3-${id}-${side}-${++profiles}.cpuprofile`
    await rig.sender.call('profiler.stop', { file: file('sender') })
    await rig.receiver.call('profiler.stop', { file: file('receiver') })
  }
  const warm = await SEND[path](rig, via, nextId('warm'))
  if (path !== 'prosody') await stopLibraries(rig)
  return { coldUs: cold.us, warmUs: warm.us }
}

// ------------------------------------------------------------------ counted paths (through relays)

/** The relays stand where the case's peer and sender listen; only connections opened for the cold send count. */
async function counted(rig: Rig, id: CaseId): Promise<Capture> {
  const { path } = CASES[id]
  const setup = setupOf(rig, id)
  const peer = path === 'library' || path === 'libraryNoCheck' ? ADDRESSES.receiver : ADDRESSES.prosodyB
  const sender = path === 'prosody' ? ADDRESSES.prosodyA : ADDRESSES.sender
  const port = setup.directTls ? DIRECT_TLS_PORT : PORT
  const relays: Relay[] = [
    await startRelay({ host: ADDRESSES.relayOut, port }, { host: peer, port }),
    await startRelay({ host: ADDRESSES.relayBack, port: PORT }, { host: sender, port: PORT }),
  ]
  try {
    const via = RELAYED[path]
    if (path === 'prosody') await rig.pair.repoint('b.test', ADDRESSES.relayOut)
    let deliveredUs: number
    let sinceUs: number
    try {
      await PREPARE[path](rig, setup, via)
      sinceUs = nowUs()
      ;({ deliveredUs } = await SEND[path](rig, via, nextId('counted')))
    } finally {
      if (path === 'prosody') await rig.pair.repoint('b.test', ADDRESSES.prosodyB)
      else await stopLibraries(rig)
    }
    const perConnection = relays
      .flatMap((relay) => relay.traces)
      .filter((trace) => trace.openedUs >= sinceUs && trace.openedUs < deliveredUs)
      .map((trace) => ({
        // From send() to the connection: what waits before the first byte (a backoff, a lookup).
        openedAfterUs: trace.openedUs - sinceUs,
        roundTrips: roundTrips(trace, deliveredUs),
        flights: trace.flights.map((f) => ({
          dir: f.dir,
          bytes: f.bytes,
          atUs: f.startUs - trace.openedUs,
          chunks: f.chunks.map((c): [number, number] => [c.bytes, c.atUs - trace.openedUs]),
        })),
      }))
    return { roundTrips: perConnection.reduce((sum, c) => sum + c.roundTrips, 0), perConnection }
  } finally {
    for (const relay of relays) await relay.stop()
  }
}
