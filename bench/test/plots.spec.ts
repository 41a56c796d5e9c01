import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { writePlots } from '../lib/plots/index.js'
import { p3LadderSpec } from '../lib/plots/p3-ladder.js'
import { renderSvg } from '../lib/plots/render-svg.js'
import type { ScenarioResult } from '../lib/report.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** Raw figures shaped as the scenarios record them, small enough to read. */
const latency = (p50: number) => ({
  latencyUs: {
    p50,
    p99: p50 * 4,
    max: p50 * 9,
    distribution: [
      [50, p50],
      [90, p50 * 2],
      [99, p50 * 4],
      [99.9, p50 * 8],
    ],
  },
})
const load = (sender: number, receiver: number) => ({
  senderCpuUsPerStanza: sender,
  receiverCpuUsPerStanza: receiver,
})
const flights = [
  { dir: 'up', bytes: 180, atUs: 1_000 },
  { dir: 'down', bytes: 388, atUs: 1_600 },
  { dir: 'up', bytes: 51, atUs: 3_900 },
]
const results = [
  { id: 'P1', raw: [{ baseline: { latency: latency(400) }, library: { latency: latency(900) } }] },
  {
    id: 'P2',
    raw: [
      {
        prosody: { receiverCpuPer1k: 0.04 },
        ejabberd: { receiverCpuPer1k: 0.05 },
        library: { receiverCpuPer1k: 0.008 },
      },
    ],
  },
  {
    id: 'P3',
    raw: {
      captures: {
        library: [{ roundTrips: 2, perConnection: [{ roundTrips: 2, flights }] }],
        libraryKnown: [{ roundTrips: 1, perConnection: [{ roundTrips: 1, flights }] }],
      },
    },
  },
  {
    id: 'P4',
    raw: [
      {
        baseline: [{ streams: 1000, rssPerStreamKiB: 40 }],
        library: [{ streams: 1000, rssPerStreamKiB: 61 }],
      },
    ],
  },
  { id: 'P5', raw: [{ baseline: [load(3, 2), load(4, 3)], library: [load(7, 6), load(9, 8)] }] },
] as unknown as ScenarioResult[]

describe('bench plots', () => {
  it('draws one SVG per scenario that ran, library beside its baseline', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'xf-plots-'))
    try {
      const written = await writePlots({ results, p5domains: [1, 1000] }, dir)
      expect((await readdir(dir)).sort()).toEqual([
        'p1-latency.svg',
        'p2-receiving.svg',
        'p3-ladder.svg',
        'p4-memory.svg',
        'p5-routing.svg',
      ])
      expect(written).toHaveLength(5)
      const memory = await readFile(path.join(dir, 'p4-memory.svg'), 'utf8')
      expect(memory).toMatch(/^<svg /)
      for (const label of [
        'library (TLS + SASL EXTERNAL)',
        'baseline: node:tls, mutual TLS',
        'goal: 1.25 × baseline',
      ])
        expect(memory).toContain(label)
      const receiving = await readFile(path.join(dir, 'p2-receiving.svg'), 'utf8')
      for (const label of ['library g.test', 'Prosody b.test', 'ejabberd e.test'])
        expect(receiving).toContain(label)
      const routing = await readFile(path.join(dir, 'p5-routing.svg'), 'utf8')
      expect(routing).toContain('active remote domains')
      expect(routing).toContain('1,000')
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  it('skips a scenario that did not run', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'xf-plots-'))
    try {
      await writePlots({ results: results.filter((r) => r.id === 'P4'), p5domains: [] }, dir)
      expect(await readdir(dir)).toEqual(['p4-memory.svg'])
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  it('labels every flight of the ladder with its time since the first byte and its size', async () => {
    const svg = await renderSvg(p3LadderSpec(results.find((r) => r.id === 'P3')!.raw)!)
    expect(svg).toContain('2 round trips')
    expect(svg).toContain('peer known from an earlier XEP-0092 answer (RSA): 1 round trips')
    for (const label of ['0.0 ms · 180 B', '0.6 ms · 388 B', '2.9 ms · 51 B']) expect(svg).toContain(label)
  })

  it('type-checks with the rest of the bench (which no other test compiles)', () => {
    const tsc = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'bench'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    expect(tsc.stdout + tsc.stderr).toBe('')
    expect(tsc.status).toBe(0)
  }, 60_000)
})
