/**
 * The API reference builds with TypeDoc's validation as errors: every exported symbol of a public
 * package has a doc comment, every `{@link}` resolves, and nothing public refers to an unexported
 * type. `pnpm docs:api` writes the same reference to docs/api (not committed). Uses dist as built
 * by `pnpm build` (built here first if missing or older than the sources): TypeDoc resolves one
 * package's imports of another through its published types.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { publicPackages } from '../../../scripts/pack-all.js'
import { ensureBuilt } from './consumer/dist-build.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

describe('the API reference', () => {
  it('builds with no TypeDoc warning or error', () => {
    ensureBuilt(
      root,
      publicPackages().map(({ dir }) => dir),
    )
    const out = mkdtempSync(path.join(tmpdir(), 'xf-api-'))
    try {
      let log: string
      try {
        log = execFileSync('pnpm', ['exec', 'typedoc', '--out', out, '--logLevel', 'Warn'], {
          cwd: root,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        })
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string }
        log = `${stdout ?? ''}${stderr ?? ''}`
      }
      expect(log.trim()).toBe('')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 300_000)
})
