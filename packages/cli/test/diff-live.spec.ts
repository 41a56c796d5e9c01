import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FederationConfigInput, parseConfig } from '@xmpp-federation/config'
import { createStatusHandler } from '@xmpp-federation/diagnostics'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './cli-harness.js'

// `diff` over running nodes: two status handlers on loopback with the configurations they
// would run, and a configuration file, compared together.

const HOST = '127.0.0.211'
const TOKEN = 'diff-t0ken-44'
const SECRET = 'dialback-secret-never-printed-1'
const OTHER_SECRET = 'dialback-secret-never-printed-2'

const settings = (node: string, extra: Partial<FederationConfigInput> = {}): FederationConfigInput => ({
  cluster: 'east',
  node,
  domains: ['c.test'],
  dialback: { secret: SECRET },
  ...extra,
})

describe('diff URL URL FILE', () => {
  const servers: Server[] = []
  const urls: string[] = []
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-diff-live-'))
    const nodes = [
      settings('imp-1'),
      settings('imp-2', { security: { tls: 'opportunistic' }, dialback: { secret: OTHER_SECRET } }),
    ]
    for (const input of nodes) {
      const config = parseConfig(input)
      const handler = createStatusHandler({
        federation: { status: () => ({ state: 'running', localDomains: ['c.test'], domains: [] }) },
        config,
        token: TOKEN,
        basePath: '/ops',
      })
      const server = createServer((req, res) => handler(req, res))
      await new Promise<void>((resolve) => server.listen(0, HOST, resolve))
      servers.push(server)
      urls.push(`http://${HOST}:${(server.address() as AddressInfo).port}/ops`)
    }
  })
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
    await rm(dir, { recursive: true, force: true })
  })

  it('names each differing setting and the node holding each value; secrets masked', async () => {
    const file = join(dir, 'imp-3.json')
    await writeFile(file, JSON.stringify(settings('imp-3')))
    const result = await runCli(['diff', urls[0]!, urls[1]!, file, '--token', TOKEN], dir)
    expect(result.code, result.stdout).toBe(1)
    expect(result.stdout).toContain(
      "  security.tls\n    east (imp-1, imp-3)  'required'\n    east (imp-2)         'opportunistic'\n",
    )
    expect(result.stdout).toMatch(/ {2}dialback\.secret\n {4}east \(imp-1, imp-3\) {2}sha256:[0-9a-f]{12}…\n/)
    expect(result.stdout).toContain('✖ NODE_CONFIG_DIFFERS')
    expect(result.stdout).toContain('✖ 2 settings differ')
    expect(result.stdout).not.toContain(SECRET)
    expect(result.stdout).not.toContain(OTHER_SECRET)

    const json = await runCli(['diff', urls[0]!, urls[1]!, file, '--token', TOKEN, '--json'], dir)
    expect(json.json().files).toEqual([
      expect.objectContaining({ file: urls[0], node: 'imp-1', cluster: 'east' }),
      expect.objectContaining({ file: urls[1], node: 'imp-2', cluster: 'east' }),
      expect.objectContaining({ file, node: 'imp-3', cluster: 'east' }),
    ])
    expect(json.stdout).not.toContain(SECRET)
  })

  it('identical nodes: exit 0, the running node and its file agree', async () => {
    const file = join(dir, 'same.json')
    await writeFile(file, JSON.stringify(settings('imp-9')))
    const result = await runCli(['diff', urls[0]!, file, '--token', TOKEN], dir)
    expect(result.code, result.stdout).toBe(0)
    expect(result.stdout).toContain('✔ 2 nodes in 1 cluster: the federation configuration is identical')
  })

  it('a node it cannot read is reported, not skipped: without the token, a closed port', async () => {
    const closed = await closedPort()
    const result = await runCli(['diff', urls[0]!, `http://${HOST}:${closed}/ops`], dir)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Files or nodes that could not be read')
    expect(result.stdout).toContain(`answered 401 Unauthorized: it needs a token`)
    expect(result.stdout).toContain(`cannot reach http://${HOST}:${closed}/ops/status: ECONNREFUSED`)
    expect(result.stdout).toContain('✖ 2 sources not read')
  })
})

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
