import * as fs from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createTestCA, runReadmeSnippet, writeCertificateFiles } from '@xmpp-federation/testing'
import * as ltx from 'ltx'
import { expect, it, vi } from 'vitest'
import * as stream from '../src/index.js'

it('the README usage runs as written', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'xf-stream-readme-'))
  const ca = await createTestCA()
  await writeFile(path.join(dir, 'ca.crt'), ca.certPem)
  for (const domain of ['c.test', 'd.test']) {
    await writeCertificateFiles(dir, domain, await ca.issue({ dnsNames: [domain] }))
  }
  const cwd = process.cwd()
  process.chdir(dir)
  const log = vi.fn()
  try {
    await runReadmeSnippet(
      new URL('../README.md', import.meta.url),
      { 'node:fs': fs, ltx, '@xmpp-federation/stream': stream },
      { console: { log } },
    )
  } finally {
    process.chdir(cwd)
  }
  expect(log.mock.calls.map((c) => c.join(' '))).toEqual([
    'authenticated with EXTERNAL over TLSv1.3',
    'd.test received hi',
  ])
})
