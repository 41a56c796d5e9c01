/**
 * The published packages as a stranger gets them: packed by pnpm, installed by npm into a strict
 * TypeScript project outside the workspace, compiled for Node and for a bundler, then run as a
 * host federating two domains over TLS with SASL EXTERNAL. Also publint and Are the Types Wrong.
 * Uses dist as built by `pnpm build` (built here first if missing or older than the sources).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packAll, publicPackages } from '../../../scripts/pack-all.js'
import { writeTestCertificates } from './consumer/certificates.js'
import { ensureBuilt } from './consumer/dist-build.js'
import { attw, publint } from './consumer/package-checks.js'
import { createConsumerProject, tsc } from './consumer/project.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const minutes = (n: number) => n * 60_000

describe('the public packages, installed from their tarballs by a consumer', () => {
  const packages = publicPackages()
  let work: string
  let project: string
  let tarballs: string[]

  beforeAll(() => {
    ensureBuilt(
      root,
      packages.map(({ dir }) => dir),
    )
    // Outside the workspace, so nothing resolves through its node_modules by accident.
    work = mkdtempSync(path.join(tmpdir(), 'xf-consumer-'))
    tarballs = packAll(path.join(work, 'packs'))
    project = path.join(work, 'host')
    mkdirSync(project)
    writeTestCertificates(project, ['a.test', 'b.test'])
    createConsumerProject(project, tarballs, readFileSync(path.join(root, 'README.md'), 'utf8'))
  }, minutes(3))

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('passes publint (strict) for every tarball', async () => {
    expect((await Promise.all(tarballs.map(publint))).flat()).toEqual([])
  })

  it(
    'passes Are the Types Wrong (ESM-only profile) for every tarball',
    async () => {
      expect((await Promise.all(tarballs.map(attw))).flat()).toEqual([])
    },
    minutes(2),
  )

  it(
    'type-checks the host under module nodenext and under a bundler',
    () => {
      // Strict, exactOptionalPropertyTypes, skipLibCheck: false: our .d.ts and what they import.
      expect(tsc(project, 'tsconfig.bundler.json')).toBe('')
      expect(tsc(project, 'tsconfig.nodenext.json')).toBe('')
    },
    minutes(2),
  )

  it(
    'runs the host: a.test delivers a message to b.test over TLS with SASL EXTERNAL',
    () => {
      const out = execFileSync(process.execPath, ['host.js'], {
        cwd: project,
        encoding: 'utf8',
        timeout: 30_000,
      })
      expect(out).toContain('b.test received the message')
    },
    minutes(1),
  )

  it('loads every package with require() from CommonJS', () => {
    const names = packages.map(({ name }) => name)
    const out = execFileSync(process.execPath, ['require-all.cjs', ...names], {
      cwd: project,
      encoding: 'utf8',
    })
    expect(out).toContain(`required ${names.length} packages`)
  })
})
