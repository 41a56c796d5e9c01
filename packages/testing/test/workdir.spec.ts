import { existsSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
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

  it('defaults to <repo>/.tmp/peers', async () => {
    const workdir = await createWorkdir({ keep: false })
    try {
      expect(path.basename(path.dirname(workdir.path))).toBe('peers')
      expect(path.basename(path.dirname(path.dirname(workdir.path)))).toBe('.tmp')
    } finally {
      await workdir.cleanup()
    }
  })
})
