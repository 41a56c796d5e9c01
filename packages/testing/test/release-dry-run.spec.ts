/**
 * `pnpm release --dry-run` as CI runs it: every public package packs and passes
 * `pnpm publish --dry-run`, with no `workspace:` range left in a packed package.json. Needs no npm
 * credentials and writes nothing to the registry. Uses dist as built by `pnpm build` (built here
 * first if missing or older than the sources).
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { publicPackages } from '../../../scripts/pack-all.js'
import { ensureBuilt } from './consumer/dist-build.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

describe('pnpm release --dry-run', () => {
  it('packs and dry-run publishes every public package without workspace: ranges', () => {
    const packages = publicPackages()
    ensureBuilt(
      root,
      packages.map(({ dir }) => dir),
    )
    const out = execFileSync('pnpm', ['exec', 'tsx', 'scripts/release.ts', '--dry-run', '--skip-build'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // No token: a dry run must not need one.
      env: { ...process.env, NPM_TOKEN: '', NODE_AUTH_TOKEN: '' },
    })
    expect(out).toContain(`packed ${packages.length} packages, no workspace: ranges`)
    for (const { name } of packages) expect(out).toMatch(new RegExp(`\\+ ${name}@\\d+\\.\\d+\\.\\d+`))
  }, 300_000)
})
