import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createTestCA, runReadmeSnippet, writeCertificateFiles } from '@xmpp-federation/testing'
import { expect, it, vi } from 'vitest'
import * as router from '../src/index.js'

it('the README usage runs as written', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'xf-router-readme-'))
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
      { '@xmpp-federation/router': router },
      { console: { log } },
    )
  } finally {
    process.chdir(cwd)
  }
  expect(log.mock.calls.map((c) => c.join(' '))).toEqual([
    'd.test got hi eve from bot@c.test',
    'bounced x@closed.test remote-server-not-found',
    'send rejected with remote-server-not-found',
    'ping ok',
  ])
})
