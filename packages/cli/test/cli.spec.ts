import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStatusHandler, type FederationStatus } from '@xmpp-federation/diagnostics'
import { createTestCA, writeCertificateFiles } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './cli-harness.js'

const DAY = 86_400_000

describe('xmpp-federation command line', () => {
  let dir: string
  let files: { cert: string; key: string }
  const write = async (name: string, settings: object) => {
    await writeFile(join(dir, name), JSON.stringify(settings, null, 2))
    return name
  }
  const sound = (extra: object = {}) => ({
    domains: ['c.test'],
    tls: files,
    dialback: { secret: 'a-long-enough-dialback-secret' },
    ...extra,
  })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-cli-'))
    const ca = await createTestCA()
    const issued = await ca.issue({ dnsNames: ['c.test'], notAfter: new Date(Date.now() + 365 * DAY) })
    const written = await writeCertificateFiles(dir, 'c.test', issued)
    files = { cert: written.cert, key: written.key }
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  describe('usage', () => {
    it('no command prints the usage and exits 2; --help exits 0', async () => {
      expect(await runCli([])).toMatchObject({ code: 2, stdout: expect.stringContaining('Usage:') })
      expect(await runCli(['--help'])).toMatchObject({ code: 0 })
      expect(await runCli(['help', 'doctor'])).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('--dns-server'),
      })
      expect(await runCli(['doctor', '--help'])).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('--route'),
      })
    })

    it('an unknown command or option exits 2, with the usage on stderr or a JSON error', async () => {
      expect(await runCli(['frobnicate'])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('unknown command'),
      })
      const unknown = await runCli(['check-config', 'x.json', '--colour'])
      expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--colour'") })
      const json = await runCli(['doctor', '--json'])
      expect(json.code).toBe(2)
      expect(json.json()).toEqual({
        schemaVersion: 1,
        command: 'doctor',
        ok: false,
        error: { code: 'USAGE', message: 'doctor takes exactly one DOMAIN' },
      })
    })

    it('doctor refuses a malformed domain, route or option value with exit 2', async () => {
      expect((await runCli(['doctor', 'not a domain'])).code).toBe(2)
      expect((await runCli(['doctor', 'a.test', '--route', 'nohost'])).stderr).toContain(
        '--route must be HOST:PORT',
      )
      expect((await runCli(['doctor', 'a.test', '--expiry-days', 'soon'])).code).toBe(2)
      const missing = await runCli(['doctor', 'a.test', '--config', 'missing.yaml', '--json'], dir)
      expect(missing.code).toBe(2)
      expect(missing.json()).toMatchObject({
        error: { code: 'INPUT', message: expect.stringContaining('missing.yaml') },
      })
    })
  })

  describe('check-config', () => {
    it('a sound file: exit 0 and ✔, relative paths resolved against the working directory', async () => {
      const name = await write('sound.json', sound())
      const result = await runCli(['check-config', name], dir)
      expect(result.code, result.stdout).toBe(0)
      expect(result.stdout).toMatch(/^✔ no problem found \(fingerprint [0-9a-f]{12}\)$/m)
    })

    it('findings: one ✖/⚠ line each with path and code, then the fix; exit 1', async () => {
      const name = await write('bad.json', {
        domains: ['c.test'],
        tls: files,
        routes: { 'spam.test': [{ host: '192.0.2.1' }] },
        policy: { deny: ['spam.test'] },
      })
      const result = await runCli(['check-config', name], dir)
      expect(result.code).toBe(1)
      expect(result.stdout).toContain('✖ routes.spam.test  ROUTE_DENIED_BY_POLICY   routes spam.test')
      expect(result.stdout).toContain('⚠ dialback.secret   DIALBACK_SECRET_MISSING  dialback is enabled')
      expect(result.stdout).toContain('      fix: remove routes.spam.test')
      expect(result.stdout).toMatch(/✖ 1 error, 1 warning\n$/)
    })

    it('--json: the documented shape', async () => {
      const name = await write('json.json', { domains: ['c.test'], tls: files })
      const result = await runCli(['check-config', name, '--json'], dir)
      expect(result.code).toBe(0)
      const document = result.json()
      expect(Object.keys(document)).toEqual([
        'schemaVersion',
        'command',
        'ok',
        'file',
        'fingerprint',
        'summary',
        'findings',
      ])
      expect(document).toMatchObject({
        schemaVersion: 1,
        command: 'check-config',
        ok: true,
        file: name,
        summary: { errors: 0, warnings: 1 },
      })
      expect(document.findings).toEqual([
        {
          severity: 'warning',
          code: 'DIALBACK_SECRET_MISSING',
          path: 'dialback.secret',
          message: expect.any(String),
          fix: expect.any(String),
          line: null,
          column: null,
        },
      ])
    })

    it('--strict turns warnings into exit 1; a missing file is exit 2', async () => {
      const name = await write('warn.json', { domains: ['c.test'], tls: files })
      expect((await runCli(['check-config', name, '--strict'], dir)).code).toBe(1)
      expect(await runCli(['check-config', 'nowhere.json'], dir)).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('cannot read nowhere.json: ENOENT'),
      })
    })

    it('an invalid file: exit 1, with the line of each problem', async () => {
      await writeFile(join(dir, 'typo.yaml'), 'domains: [c.test]\nsecurity:\n  tls: requried\n')
      const result = await runCli(['check-config', 'typo.yaml'], dir)
      expect(result.code).toBe(1)
      expect(result.stdout).toContain(
        "✖ security.tls (line 3:3)  BAD_VALUE  must be one of 'none', 'opportunistic', 'required'",
      )
      expect(result.stdout).toContain("fix: did you mean 'required'?")
    })
  })

  describe('diff', () => {
    const node = (cluster: string, name: string, extra: object = {}) =>
      sound({ cluster, node: name, listen: [{ port: 5269 + name.length }], ...extra })

    it('lists each differing setting with each cluster value, exit 1; never the secret', async () => {
      const east = await write('east.json', node('east', 'imp-1'))
      const west = await write(
        'west.json',
        node('west', 'imp-3', {
          security: { tls: 'opportunistic' },
          dialback: { secret: 'the-other-secret-0123' },
        }),
      )
      const result = await runCli(['diff', east, west], dir)
      expect(result.code).toBe(1)
      expect(result.stdout).toContain('Differences (2)\n  dialback.secret\n    east (imp-1)  sha256:')
      expect(result.stdout).toContain(
        "  security.tls\n    east (imp-1)  'required'\n    west (imp-3)  'opportunistic'\n",
      )
      expect(result.stdout).toContain('✖ CLUSTER_CONFIG_DIFFERS')
      expect(result.stdout).not.toContain('the-other-secret')
      expect(result.stdout).not.toContain('a-long-enough-dialback-secret')
      const json = await runCli(['diff', east, west, '--json'], dir)
      expect(Object.keys(json.json())).toEqual([
        'schemaVersion',
        'command',
        'ok',
        'files',
        'unreadable',
        'identical',
        'clusters',
        'problems',
        'differences',
      ])
      expect((json.json().differences as { path: string }[]).map((d) => d.path)).toEqual([
        'dialback.secret',
        'security.tls',
      ])
      expect(json.stdout).not.toContain('the-other-secret')
    })

    it('identical clusters: exit 0', async () => {
      const east = await write('same-east.json', node('east', 'imp-1'))
      const west = await write('same-west.json', node('west', 'imp-3'))
      const result = await runCli(['diff', east, west], dir)
      expect(result.code, result.stdout).toBe(0)
      expect(result.stdout).toContain('✔ 2 nodes in 2 clusters: the federation configuration is identical')
    })

    it('no file: exit 2', async () => {
      expect((await runCli(['diff'])).code).toBe(2)
    })
  })

  describe('status', () => {
    let server: Server
    let url: string
    let status: FederationStatus

    beforeAll(async () => {
      server = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status))
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    const domain = {
      remote: 'a.test',
      local: 'c.test',
      direction: 'outbound' as const,
      state: 'established' as const,
      authMechanism: 'EXTERNAL',
      tlsVersion: 'TLSv1.3',
      peerCertificate: { subject: 'CN=a.test', validTo: 'Jan  1 00:00:00 2099 GMT', trusted: true },
      queued: 0,
      unacknowledged: 0,
      stanzasIn: 3,
      stanzasOut: 12,
      lastError: undefined,
      target: '127.0.0.2:5269',
    }

    it('a table per remote domain, exit 0 when every stream is fine', async () => {
      status = { state: 'running', localDomains: ['c.test'], domains: [domain] }
      const result = await runCli(['status', '--url', url])
      expect(result.code, result.stdout).toBe(0)
      expect(result.stdout).toContain(
        'REMOTE  LOCAL   DIR  STATE        AUTH      TLS      PEER CERTIFICATE  EXPIRES',
      )
      expect(result.stdout).toContain(
        '✔ a.test  c.test  out  established  EXTERNAL  TLSv1.3  CN=a.test         2099-01-01  0       0        3/12',
      )
    })

    it('a domain backing off after an error: exit 1, the error shown', async () => {
      const failing = {
        ...domain,
        remote: 'b.test',
        state: 'backing-off' as const,
        lastError: {
          condition: 'remote-server-not-found',
          message: 'b.test: NXDOMAIN',
          at: new Date().toISOString(),
        },
      }
      status = { state: 'running', localDomains: ['c.test'], domains: [domain, failing] }
      const result = await runCli(['status', '--url', url])
      expect(result.code).toBe(1)
      expect(result.stdout).toContain('remote-server-not-found: b.test: NXDOMAIN')
      expect(result.stdout).toContain('✖ b.test (outbound): BACKING_OFF')
      const json = (await runCli(['status', '--url', url, '--json'])).json()
      expect(Object.keys(json)).toEqual(['schemaVersion', 'command', 'ok', 'url', 'federation', 'domains'])
      expect(json.federation).toEqual({
        state: 'running',
        localDomains: ['c.test'],
        verdict: 'pass',
        code: 'ESTABLISHED',
        message: 'federation running',
      })
      expect(
        (json.domains as { remote: string; verdict: string }[]).map((d) => [d.remote, d.verdict]),
      ).toEqual([
        ['a.test', 'pass'],
        ['b.test', 'fail'],
      ])
    })

    it('--metrics prints the Prometheus text', async () => {
      status = { state: 'running', localDomains: ['c.test'], domains: [domain] }
      const result = await runCli(['status', '--url', `${url}/api/status`, '--metrics'])
      expect(result.stdout).toContain('xmpp_federation_up 1\n')
      expect(result.stdout).toContain(
        'xmpp_federation_stanzas_sent_total{remote="a.test",local="c.test",direction="outbound",mechanism="EXTERNAL"} 12',
      )
    })

    it('an unreachable gateway: exit 1 (a finding), a URL with --config or twice: exit 2', async () => {
      const closed = await runCli(['status', '--url', 'http://127.0.0.1:9', '--json'])
      expect(closed.code).toBe(1)
      expect(closed.json()).toMatchObject({ ok: false, error: { code: 'UNREACHABLE' } })
      expect((await runCli(['status', '--url', url, '--config', 'x.yaml'])).code).toBe(2)
      expect((await runCli(['status', url, '--config', 'x.yaml'])).code).toBe(2)
      expect((await runCli(['status', url, '--url', url])).code).toBe(2)
      expect((await runCli(['status', url, url])).code).toBe(2)
      expect((await runCli(['status', url, '--token', ''])).code).toBe(2)
    })
  })

  describe('status URL of a handler mounted anywhere', () => {
    let server: Server
    let origin: string
    const status: FederationStatus = {
      state: 'running',
      localDomains: ['c.test'],
      domains: [],
      totals: [{ remote: 'a.test', stanzasIn: 7, stanzasOut: 9 }],
    }

    beforeAll(async () => {
      // A host with its own pages and the diagnostics handler under /ops/xmpp, behind a token.
      const handler = createStatusHandler({
        federation: { status: () => status },
        token: 'cli-t0ken',
        basePath: '/ops/xmpp',
      })
      server = createServer((req, res) => handler(req, res, () => res.writeHead(404).end()))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    it.each(['/ops/xmpp/status', '/ops/xmpp', '/ops/xmpp/'])('reads %s with --token', async (path) => {
      const result = await runCli(['status', `${origin}${path}`, '--token', 'cli-t0ken', '--json'])
      expect(result.code, result.stdout).toBe(0)
      expect(result.json()).toMatchObject({
        ok: true,
        url: `${origin}/ops/xmpp/status`,
        federation: { state: 'running', localDomains: ['c.test'] },
      })
    })

    it('--metrics counts stanzas from the running totals', async () => {
      const result = await runCli(['status', `${origin}/ops/xmpp`, '--token', 'cli-t0ken', '--metrics'])
      expect(result.stdout).toContain('xmpp_federation_stanzas_received_total{remote="a.test"} 7\n')
    })

    it('without the token or with a wrong one: exit 1, saying so', async () => {
      const missing = await runCli(['status', `${origin}/ops/xmpp`])
      expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('401') })
      expect(missing.stderr).toContain('it needs a token')
      const wrong = await runCli(['status', `${origin}/ops/xmpp`, '--token', 'guess', '--json'])
      expect(wrong.code).toBe(1)
      expect(wrong.json()).toMatchObject({
        ok: false,
        error: { code: 'UNREACHABLE', message: expect.stringContaining('the token was refused') },
      })
    })
  })

  describe('doctor (no peer needed)', () => {
    it('a closed port through --route: exit 1 and TCP_REFUSED in the documented JSON shape', async () => {
      const probe = createServer()
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
      const port = (probe.address() as AddressInfo).port
      await new Promise<void>((resolve) => probe.close(() => resolve()))
      const result = await runCli(['doctor', 'a.test', '--route', `127.0.0.1:${port}`, '--json'])
      expect(result.code).toBe(1)
      const document = result.json()
      expect(Object.keys(document)).toEqual([
        'schemaVersion',
        'command',
        'ok',
        'domain',
        'localDomain',
        'targets',
        'summary',
        'results',
      ])
      expect(document).toMatchObject({
        command: 'doctor',
        ok: false,
        domain: 'a.test',
        localDomain: null,
        targets: [`127.0.0.1:${port}`],
        summary: { pass: 1, warn: 0, fail: 1, skip: 1 },
      })
      expect((document.results as object[])[1]).toEqual({
        step: 'tcp',
        status: 'fail',
        code: 'TCP_REFUSED',
        message: `127.0.0.1:${port} refused the connection: nothing listens there`,
        hint: expect.stringContaining('Remote side:'),
        side: 'remote',
        target: `127.0.0.1:${port}`,
      })
      const human = await runCli(['doctor', 'a.test', '--route', `127.0.0.1:${port}`])
      expect(human.stdout).toContain(`  ✖ tcp   TCP_REFUSED       127.0.0.1:${port} refused the connection`)
      expect(human.stdout).toMatch(
        /✖ 1 failure, 0 warnings, 1 passed, 1 skipped: federation with a.test does not work\n$/,
      )
    })
  })
})
