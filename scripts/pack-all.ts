/**
 * Packs every public package into one folder, as it would be published. Through `pnpm pack`,
 * never `npm pack`: only pnpm rewrites `workspace:*` to the version a consumer can install.
 *
 *   pnpm pack-all [destination]    (default: .tmp/packs)
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

export interface PublicPackage {
  name: string
  dir: string
}

/** Packages under packages/ that are not marked private, in directory order. */
export function publicPackages(): PublicPackage[] {
  const packagesDir = path.join(root, 'packages')
  return readdirSync(packagesDir)
    .sort()
    .map((entry) => path.join(packagesDir, entry))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name as string, dir }))
}

/** Packs each public package (dist must be built) into `destination`; returns the tarball paths. */
export function packAll(destination: string): string[] {
  mkdirSync(destination, { recursive: true })
  return publicPackages().map(({ dir }) => {
    const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], {
      cwd: dir,
      encoding: 'utf8',
    })
    return (JSON.parse(out) as { filename: string }).filename
  })
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const destination = path.resolve(process.argv[2] ?? path.join(root, '.tmp', 'packs'))
  for (const tarball of packAll(destination)) console.log(tarball)
}
