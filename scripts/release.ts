/**
 * Publishes the public packages at the versions `pnpm changeset version` wrote, with npm
 * provenance, after building and running the unit tests. The dry run does everything a release
 * does except the network writes: it packs each package the way pnpm publishes it, checks that no
 * `workspace:` range survives in a packed package.json, and runs `pnpm publish --dry-run`.
 *
 *   pnpm release              build, unit tests, publish with provenance, tag
 *   pnpm release --dry-run    build, pack and check, `pnpm publish --dry-run` per package
 *
 * `--skip-build` (dry run only) uses dist as it is: the spec that runs the dry run builds first
 * and must not rewrite dist while another spec packs it.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { packAll, publicPackages } from './pack-all.js'

const root = fileURLToPath(new URL('..', import.meta.url))

function run(command: string, args: string[], cwd = root, env: NodeJS.ProcessEnv = process.env): void {
  console.log(`$ ${command} ${args.join(' ')}`)
  execFileSync(command, args, { cwd, stdio: 'inherit', env })
}

/** The package.json inside a tarball, as a registry would serve it. */
function packedManifest(tarball: string): Record<string, unknown> {
  const text = execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })
  return JSON.parse(text) as Record<string, unknown>
}

/** Dependency ranges that would be unusable outside this workspace, as `name: dep@range`. */
export function workspaceRanges(tarball: string): string[] {
  const manifest = packedManifest(tarball)
  const found: string[] = []
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
    const deps = (manifest[field] ?? {}) as Record<string, string>
    for (const [dep, range] of Object.entries(deps)) {
      if (range.startsWith('workspace:')) found.push(`${manifest.name}: ${dep}@${range}`)
    }
  }
  return found
}

/** A pending changeset means `pnpm changeset version` has not been run: the versions are not final. */
function pendingChangesets(): string[] {
  return readdirSync(path.join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')
}

function dryRun(build: boolean): void {
  if (build) run('pnpm', ['build'])
  const destination = mkdtempSync(path.join(tmpdir(), 'xf-release-'))
  try {
    const tarballs = packAll(destination)
    const leaks = tarballs.flatMap(workspaceRanges)
    if (leaks.length > 0) throw new Error(`workspace: ranges in packed manifests:\n${leaks.join('\n')}`)
    console.log(`packed ${tarballs.length} packages, no workspace: ranges`)
  } finally {
    rmSync(destination, { recursive: true, force: true })
  }
  for (const { dir } of publicPackages()) {
    // --no-git-checks: a dry run on a feature branch or a dirty tree is still useful.
    run('pnpm', ['publish', '--dry-run', '--no-git-checks', '--access', 'public'], dir)
  }
  const pending = pendingChangesets()
  if (pending.length > 0)
    console.log(
      `note: unreleased changesets (${pending.join(', ')}); a release needs \`pnpm changeset version\` first`,
    )
}

function release(): void {
  const pending = pendingChangesets()
  if (pending.length > 0) {
    throw new Error(
      `unreleased changesets: ${pending.join(', ')}. Run \`pnpm changeset version\` and commit first.`,
    )
  }
  run('pnpm', ['build'])
  run('pnpm', ['exec', 'vitest', 'run', '--project', 'unit'])
  // pnpm publish rewrites workspace: ranges; it skips versions already on the registry and the
  // private packages. Provenance needs a CI provider with OIDC (GitHub Actions: id-token: write).
  run('pnpm', ['-r', '--filter', './packages/**', 'publish', '--access', 'public', '--provenance'])
  run('pnpm', ['exec', 'changeset', 'tag'])
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--dry-run')) dryRun(!process.argv.includes('--skip-build'))
  else release()
}
