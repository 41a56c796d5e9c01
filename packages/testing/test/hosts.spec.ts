import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHostsFile } from '../src/hosts.js'

let dir: string | undefined

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('createHostsFile', () => {
  it('appends one line per domain, ignores repeats and refuses a second address', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'xf-hosts-'))
    const hosts = await createHostsFile(dir)
    await hosts.addHost('a.test', '127.0.0.2')
    await hosts.addHost('B.Test', '127.0.0.3')
    await hosts.addHost('a.test', '127.0.0.2')
    await expect(hosts.addHost('a.test', '127.0.0.9')).rejects.toThrow(/already maps to 127.0.0.2/)
    const lines = (await readFile(hosts.path, 'utf8'))
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
    expect(lines).toEqual(['127.0.0.2 a.test', '127.0.0.3 b.test'])
    expect(hosts.addressOf('b.test')).toBe('127.0.0.3')
  })

  it('rejects names and addresses that would corrupt the file', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'xf-hosts-'))
    const hosts = await createHostsFile(dir)
    await expect(hosts.addHost('a.test\n1.2.3.4 evil.test', '127.0.0.2')).rejects.toThrow(/DNS name/)
    await expect(hosts.addHost('a.test', 'localhost')).rejects.toThrow(/IP address/)
  })
})
