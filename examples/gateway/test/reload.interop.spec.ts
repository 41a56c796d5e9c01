import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from '@xmpp-federation/cli'
import { createTestCA, writeCertificateFiles } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The real gateway process (main.ts) reloading its file: on SIGHUP, and through
// `xmpp-federation reload URL --token` against its HTTP API.
const HOST = '127.0.0.206'
const S2S = { host: HOST, port: 5269 }
const EXTRA = { host: HOST, port: 5270 }
const HTTP = { host: HOST, port: 8480 }
const TOKEN = 'reload-test-token-123'
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

function accepts(address: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address.port, address.host)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await run(args, {
    stdout: (text) => {
      out += text
    },
    stderr: (text) => {
      err += text
    },
    cwd: REPO,
    color: false,
    width: 100,
  })
  return { code, out, err }
}

describe('gateway: live reload of its configuration file', () => {
  let dir: string
  let file: string
  let gateway: ChildProcess
  let log = ''
  let base: Record<string, unknown>

  const writeConfig = (extra: Record<string, unknown>) =>
    writeFile(file, JSON.stringify({ ...base, ...extra }, null, 2))

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'xf-gateway-reload-'))
    const ca = await createTestCA()
    const caFile = path.join(dir, 'ca.crt')
    await writeFile(caFile, ca.certPem)
    const files = await writeCertificateFiles(dir, 'c.test', await ca.issue({ dnsNames: ['c.test'] }))
    file = path.join(dir, 'gateway.json')
    base = {
      domains: ['c.test'],
      tls: { cert: files.cert, key: files.key, ca: [caFile], systemCa: false },
      listen: [S2S],
      http: HTTP,
    }
    await writeConfig({})
    // node itself, with tsx as a loader: the tsx command would be a parent that dies of SIGHUP.
    gateway = spawn(process.execPath, ['--import', 'tsx', 'examples/gateway/src/main.ts', '--config', file], {
      cwd: REPO,
      env: {
        ...process.env,
        GATEWAY_ADMIN_TOKEN: TOKEN,
        TSX_TSCONFIG_PATH: 'examples/gateway/tsconfig.json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    gateway.stdout!.on('data', (chunk: Buffer) => {
      log += chunk.toString()
    })
    gateway.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString()
    })
    await waitFor(() => log.includes('HTTP API on'), 30_000)
  }, 60_000)

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway.once('exit', resolve))
      gateway.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  })

  it('SIGHUP with a changed file applies it, and the report is logged', async () => {
    expect(await accepts(EXTRA)).toBe(false)
    await writeConfig({ listen: [S2S, EXTRA] })
    gateway.kill('SIGHUP')
    await waitFor(() => log.includes('configuration reloaded: listen changed'))
    expect(await accepts(EXTRA)).toBe(true)
    // A refused file leaves the running configuration alone, and says why.
    await writeConfig({ listen: [S2S, EXTRA], polcy: {} })
    gateway.kill('SIGHUP')
    await waitFor(() => log.includes('configuration refused'))
    expect(log).toMatch(/polcy/)
    expect(await accepts(EXTRA)).toBe(true)
    expect(gateway.exitCode).toBeNull()
  }, 60_000)

  it('xmpp-federation reload URL --token prints the report; without the token it is refused with 401', async () => {
    const url = `http://${HTTP.host}:${HTTP.port}`
    await writeConfig({ listen: [S2S], policy: { mode: 'denylist', deny: ['x.test'] } })
    const refused = await cli(['reload', url])
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/401.*needs --token/)
    expect(await accepts(EXTRA)).toBe(true)

    const applied = await cli(['reload', url, '--token', TOKEN])
    expect(applied.err).toBe('')
    expect(applied.code).toBe(0)
    expect(applied.out).toMatch(/✔ reloaded/)
    expect(applied.out).toMatch(/policy\.deny: \[\] → \["x\.test"\]/)
    expect(applied.out).toMatch(/listen:/)
    expect(await accepts(EXTRA)).toBe(false)

    const again = await cli(['reload', url, '--token', TOKEN, '--json'])
    expect(JSON.parse(again.out)).toMatchObject({ command: 'reload', ok: true, report: { unchanged: true } })

    await writeConfig({ listen: [S2S], tls: { cert: '/nonexistent.crt', key: '/nonexistent.key' } })
    const bad = await cli(['reload', url, '--token', TOKEN])
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/refused/)
    expect(bad.err).toMatch(/tls\.cert/)
  }, 60_000)
})
