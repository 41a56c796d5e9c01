import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

function newestModification(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

/** dist/index.js exists and is newer than every source file (tsc rewrites all of dist each build). */
function distIsCurrent(packageDir: string): boolean {
  try {
    const built = statSync(path.join(packageDir, 'dist', 'index.js')).mtimeMs
    return built >= newestModification(path.join(packageDir, 'src'))
  } catch {
    return false
  }
}

/**
 * CI runs `pnpm build` before `pnpm test`; a developer running one spec may not have, and a stale
 * dist would test yesterday's types. Builds the workspace when any package's dist is missing or old.
 */
export function ensureBuilt(root: string, packageDirs: string[]): void {
  if (packageDirs.every(distIsCurrent)) return
  execFileSync('pnpm', ['build'], { cwd: root, stdio: 'pipe' })
}
