/**
 * What the doc generators (reliability report, interop matrix) share: run vitest on some
 * files with its JSON reporter, and turn test text into a Markdown table cell.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

/**
 * Runs vitest on `args` (files, `--project`, ...) in `root`, printing with `reporter`, and
 * returns the path of the JSON report it wrote to `out`. Throws when no report was written.
 */
export function runVitestJson(root: string, out: string, args: string[], reporter = 'default'): string {
  mkdirSync(path.dirname(out), { recursive: true })
  const vitest = path.join(
    path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
    'vitest.mjs',
  )
  const run = spawnSync(
    process.execPath,
    [vitest, 'run', ...args, `--reporter=${reporter}`, '--reporter=json', `--outputFile.json=${out}`],
    { cwd: root, stdio: 'inherit' },
  )
  if (!existsSync(out)) throw new Error(`vitest wrote no report (exit ${run.status})`)
  return out
}

/** Text made safe for one Markdown table cell: no pipe, no line break. */
export const cell = (text: unknown): string =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
