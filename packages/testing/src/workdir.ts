import { existsSync, statSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** A scratch directory for one test run: configs, certificates, data dirs and logs of its peers. */
export interface Workdir {
  readonly path: string
  /** Creates `name` (and its parents) inside the workdir, searchable by other users. */
  subdir(name: string): Promise<string>
  /** Removes the directory, unless XF_KEEP_PEERS=1 asks to keep it for a post-mortem. */
  cleanup(): Promise<void>
}

export interface WorkdirOptions {
  /** Parent directory of the run directories; default `<repo>/.tmp/peers`, else the OS temp dir. */
  base?: string
  /** Keep the directory on cleanup(); default from env XF_KEEP_PEERS=1. */
  keep?: boolean
}

export async function createWorkdir(options: WorkdirOptions = {}): Promise<Workdir> {
  const base = options.base ?? defaultBase()
  await makeSearchable(base)
  const dir = await mkdtemp(path.join(base, `xf-peers-${timestamp()}-`))
  await openToOthers(dir)
  const keep = options.keep ?? process.env.XF_KEEP_PEERS === '1'
  let removed = false

  return {
    path: dir,
    async subdir(name) {
      const target = path.resolve(dir, name)
      if (!target.startsWith(dir + path.sep)) throw new Error(`subdir ${name} escapes the workdir`)
      await makeSearchable(target)
      return target
    },
    async cleanup() {
      if (removed) return
      removed = true
      if (keep) {
        process.stderr.write(`[xmpp-federation/testing] kept peer files in ${dir}\n`)
        return
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

// A user's clone keeps run files beside the code (easy to inspect, gitignored);
// the repo must be walkable by others, because ejabberd drops to its own user.
function defaultBase(): string {
  const root = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)))
  if (root && ancestorsSearchable(root)) return path.join(root, '.tmp', 'peers')
  return os.tmpdir()
}

function findRepoRoot(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir
    if (path.dirname(dir) === dir) return undefined
  }
}

function ancestorsSearchable(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false
    if (path.dirname(current) === current) return true
  }
}

/** mkdir -p, then o+x on each directory that this call created (never on anything it found). */
async function makeSearchable(dir: string): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true })
  if (!firstCreated) return
  for (let current = dir; ; current = path.dirname(current)) {
    await openToOthers(current)
    if (current === firstCreated || path.dirname(current) === current) break
  }
}

async function openToOthers(dir: string): Promise<void> {
  const info = await stat(dir)
  await chmod(dir, (info.mode & 0o7777) | 0o001)
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
}
