/**
 * `pnpm bench:plot RESULTS.json [--out DIR]`: draws the SVG plots of a bench run that was
 * recorded (bench/results/*.json), e.g. into docs/images/performance for docs/performance.md.
 * `pnpm bench` draws them itself after every run, next to its JSON.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { writePlots } from './lib/plots/index.js'
import type { ScenarioResult } from './lib/report.js'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } })
const file = positionals[0]
if (!file) {
  process.stderr.write('usage: pnpm bench:plot RESULTS.json [--out DIR]\n')
  process.exit(2)
}
const recorded = JSON.parse(await readFile(file, 'utf8')) as {
  results: ScenarioResult[]
  options: { p5domains: number[] }
}
const out = values.out ?? file.replace(/\.json$/, '-plots')
const written = await writePlots({ results: recorded.results, p5domains: recorded.options.p5domains }, out)
for (const target of written) process.stdout.write(`${path.relative(process.cwd(), target)}\n`)
