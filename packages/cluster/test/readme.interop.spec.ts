import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as router from '@xmpp-federation/router'
import {
  createTestCA,
  createWorkdir,
  type RedisServer,
  runReadmeSnippet,
  startRedis,
  type Workdir,
  writeCertificateFiles,
} from '@xmpp-federation/testing'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import * as cluster from '../src/index.js'
import { REDIS_HOST } from './helpers.js'

const README = new URL('../README.md', import.meta.url)
let workdir: Workdir
let redis: RedisServer

beforeAll(async () => {
  workdir = await createWorkdir()
  redis = await startRedis({ workdir, host: REDIS_HOST, port: 6394 })
})
afterAll(async () => {
  await redis?.stop()
  await workdir?.cleanup()
})

it('the README usage runs as written and prints what the README says', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'xf-cluster-readme-'))
  const ca = await createTestCA()
  await writeFile(path.join(dir, 'ca.crt'), ca.certPem)
  for (const domain of ['c.test', 'd.test']) {
    await writeCertificateFiles(dir, domain, await ca.issue({ dnsNames: [domain] }))
  }
  const cwd = process.cwd()
  const url = process.env.REDIS_URL
  process.chdir(dir)
  process.env.REDIS_URL = redis.url
  const log = vi.fn()
  try {
    await runReadmeSnippet(
      README,
      { '@xmpp-federation/router': router, '@xmpp-federation/cluster': cluster },
      { console: { log } },
    )
  } finally {
    process.chdir(cwd)
    if (url === undefined) delete process.env.REDIS_URL
    else process.env.REDIS_URL = url
  }
  const printed = log.mock.calls.map((args) => args.join(' '))
  const promised = /It prints:\n\n```\n([\s\S]*?)\n```/.exec(readFileSync(README, 'utf8'))?.[1]
  expect(printed).toEqual(promised?.split('\n'))
})
