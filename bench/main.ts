/**
 * The bench runner (started by run.ts): runs the selected scenarios one after the other, prints
 * their tables, writes everything to bench/results/*.json and draws its SVG plots beside it.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createWorkdir, stopAllPeers } from '@xmpp-federation/testing'
import type { BenchContext } from './lib/context.js'
import { scenarioTable } from './lib/format.js'
import { describeMachine } from './lib/machine.js'
import { parseOptions, type ScenarioId, USAGE } from './lib/options.js'
import { createBenchPki } from './lib/pki.js'
import { writePlots } from './lib/plots/index.js'
import { summarizeProfiles } from './lib/profile-summary.js'
import type { ScenarioResult } from './lib/report.js'
import { runP1 } from './scenarios/p1-link.js'
import { runP2 } from './scenarios/p2-prosody.js'
import { runP3 } from './scenarios/p3-cold.js'
import { runP4 } from './scenarios/p4-memory.js'
import { runP5 } from './scenarios/p5-routing.js'
import { runP6 } from './scenarios/p6-cluster.js'

const SCENARIOS: Record<ScenarioId, (ctx: BenchContext) => Promise<ScenarioResult>> = {
  p1: runP1,
  p2: runP2,
  p3: runP3,
  p4: runP4,
  p5: runP5,
  p6: runP6,
}

const root = fileURLToPath(new URL('..', import.meta.url))
const resultsDir = path.join(root, 'bench', 'results')

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  if (!options) {
    process.stdout.write(USAGE)
    return
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  const machine = describeMachine()
  const workdir = await createWorkdir({ base: path.join(root, '.tmp', 'bench') })
  const profileDir = options.profile ? path.join(resultsDir, 'profiles', stamp) : undefined
  if (profileDir) await mkdir(profileDir, { recursive: true })
  const log = (message: string) =>
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
  log(
    `${machine.nproc} × ${machine.cpuModel}, node ${machine.node}, load average ${machine.loadAverage.toFixed(2)}`,
  )
  const ctx: BenchContext = {
    options,
    pki: await createBenchPki(await workdir.subdir('certs')),
    workdir,
    profileDir,
    log,
  }

  const results: ScenarioResult[] = []
  const failures: { scenario: string; error: string }[] = []
  try {
    for (const id of Object.keys(SCENARIOS) as ScenarioId[]) {
      if (!options.only.has(id)) continue
      log(`${id.toUpperCase()} starting`)
      try {
        const result = await SCENARIOS[id](ctx)
        results.push(result)
        process.stdout.write(`\n${scenarioTable(result)}\n`)
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
        failures.push({ scenario: id, error: message })
        log(`${id.toUpperCase()} failed: ${message}`)
      }
    }
  } finally {
    await stopAllPeers()
    await workdir.cleanup()
  }

  const out = options.out ?? path.join(resultsDir, `bench-${stamp}.json`)
  await mkdir(path.dirname(out), { recursive: true })
  await writeFile(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), machine, options: { ...options, only: [...options.only] }, results, failures }, null, 2)}\n`,
  )
  process.stdout.write(
    `\nmachine: ${machine.nproc} × ${machine.cpuModel}, node ${machine.node}\nresults: ${path.relative(process.cwd(), out)}\n`,
  )
  const plots = await writePlots({ results, p5domains: options.p5domains }, out.replace(/\.json$/, '-plots'))
  for (const plot of plots) process.stdout.write(`plot: ${path.relative(process.cwd(), plot)}\n`)
  if (profileDir) process.stdout.write(`\n${await summarizeProfiles(profileDir)}\n`)
  if (failures.length > 0) process.exitCode = 1
}

await main()
