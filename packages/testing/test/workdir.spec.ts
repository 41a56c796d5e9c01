import { existsSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createWorkdir } from '../src/workdir.js'

let base: string | undefined

afterEach(async () => {
  if (base) await rm(base, { recursive: true, force: true })
})

const searchableByOthers = (dir: string) => (statSync(dir).mode & 0o001) !== 0

describe('createWorkdir', () => {
  it('creates a fresh directory that other users can walk into, and removes it', async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'xf-workdir-'))
    const nested = path.join(base, 'not', 'yet')
    const workdir = await createWorkdir({ base: nested, keep: false })
    const sub = await workdir.subdir('prosody-a.test/data')
    for (const dir of [path.join(base, 'not'), nested, workdir.path, sub])
      expect(searchableByOthers(dir)).toBe(true)
    await workdir.cleanup()
    expect(existsSync(workdir.path)).toBe(false)
  })

  it('keeps the directory when asked to', async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'xf-workdir-'))
    const workdir = await createWorkdir({ base, keep: true })
    await workdir.cleanup()
    expect(existsSync(workdir.path)).toBe(true)
  })

  it('refuses a subdir outside itself', async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'xf-workdir-'))
    const workdir = await createWorkdir({ base, keep: false })
    await expect(workdir.subdir('../escape')).rejects.toThrow(/escapes/)
  })

  it('defaults to <repo>/.tmp/peers, or the OS temp dir when others cannot walk to the repo', async () => {
    // ejabberd drops to its own user: a clone inside a 0700 directory (mktemp -d) cannot
    // hold its files, so the run directories go to the OS temp dir instead.
    const workdir = await createWorkdir({ keep: false })
    try {
      if (everyoneCanWalkTo(REPO)) {
        expect(path.dirname(workdir.path)).toBe(path.join(REPO, '.tmp', 'peers'))
      } else {
        expect(path.dirname(workdir.path)).toBe(os.tmpdir())
      }
    } finally {
      await workdir.cleanup()
    }
  })
})

const REPO = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '')

function everyoneCanWalkTo(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false
    if (path.dirname(current) === current) return true
  }
}
