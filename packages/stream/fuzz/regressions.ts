import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { SessionMode } from './session-target.js'

export type FuzzTarget = 'parser' | SessionMode

/**
 * A crash or hang the fuzzer found, kept as the exact bytes and TCP cuts (not
 * as a corpus index, so re-recording the corpus cannot change what it replays).
 */
export interface Regression {
  readonly name: string
  readonly target: FuzzTarget
  /** What went wrong when it was found, and the fix. */
  readonly note: string
  readonly hold: boolean
  /** Base64 chunks, written in this order. */
  readonly chunks: readonly string[]
  /** The bytes as latin1 text, for reading only. */
  readonly preview: string
}

export const REGRESSIONS_DIR = fileURLToPath(new URL('./regressions/', import.meta.url))

export function loadRegressions(dir = REGRESSIONS_DIR): Regression[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as Regression)
}

export function regressionChunks(regression: Regression): Uint8Array[] {
  return regression.chunks.map((chunk) => Buffer.from(chunk, 'base64'))
}

/** Writes a finding as a regression file; returns its path. */
export function saveRegression(
  name: string,
  target: FuzzTarget,
  chunks: readonly Uint8Array[],
  hold: boolean,
  note: string,
  dir = REGRESSIONS_DIR,
): string {
  const bytes = Buffer.concat(chunks)
  const regression: Regression = {
    name,
    target,
    note,
    hold,
    chunks: chunks.map((c) => Buffer.from(c).toString('base64')),
    preview: bytes.subarray(0, 2000).toString('latin1'),
  }
  const path = `${dir}${name}.json`
  writeFileSync(path, `${JSON.stringify(regression, null, 2)}\n`)
  return path
}
