import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError } from '@xmpp-federation/config'
import { saslExternal } from '@xmpp-federation/stream'
import { createTestCA, runReadmeSnippet, writeCertificateFiles } from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as router from '../src/index.js'
import { createFederation, type Federation, UsageError, xml } from '../src/index.js'
import { configFor, createTestPki, type TestPki } from './fixtures.js'

let pki: TestPki
beforeAll(async () => {
  pki = await createTestPki()
})

describe('the composition root', () => {
  it('the root README compose snippet: the config alone installs EXTERNAL, then dialback with its secret', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'xf-root-readme-'))
    const ca = await createTestCA()
    await writeFile(path.join(dir, 'ca.crt'), ca.certPem)
    await writeCertificateFiles(dir, 'c.test', await ca.issue({ dnsNames: ['c.test'] }))
    let built: Federation | undefined
    const sent: Element[] = []
    // The real createFederation (config validation, TLS, policy, auth); listening and sending are
    // left out, so the snippet's fixed address cannot collide with another test's.
    const createFederationAndHold = (options: router.FederationOptions) => {
      const federation = router.createFederation(options)
      built = federation
      return Object.assign(Object.create(federation) as Federation, {
        start: async () => {},
        send: async (stanza: Element) => void sent.push(stanza),
      })
    }
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      await runReadmeSnippet(new URL('../../../README.md', import.meta.url), {
        '@xmpp-federation/router': { ...router, createFederation: createFederationAndHold },
      })
    } finally {
      process.chdir(cwd)
    }
    expect(built?.authMechanisms).toEqual(['EXTERNAL', 'dialback'])
    expect(built?.components.config.dialback?.secret).toBe('shared-by-every-node-of-this-deployment')
    expect(sent.map((s) => s.attrs.to)).toEqual(['alice@a.test'])
  })

  it('a bad config throws a ConfigError when the federation is built, naming the field', async () => {
    const config = await configFor(pki, 'c.test', { listen: [{ host: '127.0.0.1', port: 70000 }] })
    expect(() => createFederation({ config })).toThrow(ConfigError)
    expect(() => createFederation({ config })).toThrow(/listen\[0\]\.port/)
  })

  it('dialback turned off by the config: only EXTERNAL is installed', async () => {
    const config = await configFor(pki, 'c.test', { security: { dialback: false } })
    expect(createFederation({ config }).authMechanisms).toEqual(['EXTERNAL'])
  })

  it('refuses to be built when a domain the config allows has no mechanism it may use', async () => {
    // EXTERNAL is off for d.test; the config allows dialback, but the host installed only EXTERNAL.
    const config = await configFor(pki, 'c.test', {
      policy: { domains: { 'd.test': { saslExternal: { inbound: false, outbound: false } } } },
    })
    let error: unknown
    try {
      createFederation({ config, auth: [saslExternal()] })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    const issues = (error as ConfigError).issues
    expect(issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['policy.domains.d.test', 'NO_AUTH_METHOD'],
      ['policy.domains.d.test', 'NO_AUTH_METHOD'],
    ])
    expect(issues[0]!.fix).toMatch(/dialback/)
    // The defaults cover it: dialback is installed because the config allows it.
    expect(createFederation({ config }).authMechanisms).toEqual(['EXTERNAL', 'dialback'])
  })

  it('a host adds a mechanism to the defaults with a factory that receives the components', async () => {
    const config = await configFor(pki, 'c.test')
    const seen: string[] = []
    const federation = createFederation({
      config,
      auth: (defaults) => [
        ...defaults,
        (components) => {
          seen.push(components.config.domains.join(','))
          return { name: 'X-TEST' }
        },
      ],
    })
    expect(federation.authMechanisms).toEqual(['EXTERNAL', 'dialback', 'X-TEST'])
    expect(seen).toEqual(['c.test'])
  })
})

describe('misuse is a UsageError', () => {
  let federation: Federation
  afterAll(async () => federation?.stop())

  it('send(), request() and ping() before start(), and after stop(); start() twice', async () => {
    federation = createFederation({ config: await configFor(pki, 'c.test'), logger: false })
    const message = xml('message', { from: 'bot@c.test', to: 'eve@d.test' })
    expect(() => federation.send(message)).toThrow(UsageError)
    expect(() => federation.send(message)).toThrow(/before start\(\)/)
    expect(() => federation.request(xml('iq', { from: 'c.test', to: 'd.test', type: 'get' }))).toThrow(
      UsageError,
    )
    await federation.start()
    await expect(federation.start()).rejects.toThrow(UsageError)
    await federation.stop()
    expect(() => federation.send(message)).toThrow(/after stop\(\)/)
    await expect(federation.ping('c.test', 'd.test')).rejects.toThrow(UsageError)
  })
})

describe('enabled: false', () => {
  it('refuses outbound sends with service-unavailable and a bounce event, and opens no listener', async () => {
    const config = await configFor(pki, 'c.test', {
      enabled: false,
      listen: [{ host: '127.0.0.1', port: 25391 }],
      routes: { 'd.test': [{ host: '127.0.0.1', port: 25392 }] },
    })
    const federation = createFederation({ config, logger: false })
    const bounces: string[] = []
    federation.on('bounce', (b) => bounces.push(`${b.condition}: ${b.reason}`))
    await federation.start()
    const sent = federation.send(
      xml('message', { from: 'bot@c.test', to: 'eve@d.test' }, xml('body', {}, 'x')),
    )
    await expect(sent).rejects.toMatchObject({ condition: 'service-unavailable' })
    expect(bounces).toEqual(['service-unavailable: federation is disabled on this node (enabled: false)'])
    expect(federation.status().domains).toEqual([])
    await federation.stop()
  })
})

describe('logging', () => {
  it('a real pino logger passes as it is, its fields intact', async () => {
    const { pino } = await import('pino')
    const lines: Record<string, unknown>[] = []
    const destination = { write: (line: string) => void lines.push(JSON.parse(line)) }
    const logger = pino({ level: 'debug' }, destination)
    const config = await configFor(pki, 'c.test', { listen: [{ host: '127.0.0.1', port: 25393 }] })
    const federation = createFederation({ config, logger })
    await federation.start()
    await federation.stop()
    // pino's (fields, message) order: the fields are there, not swallowed as format arguments.
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'listening for s2s', host: '127.0.0.1', port: 25393 }),
    )
  })

  it('without a logger, warnings go to stderr; logger: false silences them', async () => {
    const written: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    try {
      const quiet = createFederation({
        config: await configFor(pki, 'c.test', { enabled: false }),
        logger: false,
      })
      await quiet.start()
      await quiet.stop()
      expect(written.join('')).not.toContain('federation is disabled')
      const loud = createFederation({ config: await configFor(pki, 'c.test', { enabled: false }) })
      await loud.start()
      await loud.stop()
    } finally {
      process.stderr.write = write
    }
    expect(written.join('')).toMatch(/xmpp-federation warn: federation is disabled on this node/)
  })
})

describe('the error event', () => {
  it('a host email directory that throws: the sender gets internal-server-error, the host an error event', async () => {
    const config = await configFor(pki, 'c.test', { emailForFederation: { enabled: true } })
    const federation = createFederation({
      config,
      logger: false,
      directory: {
        emailForJid: () => {
          throw new Error('directory down')
        },
        jidForEmail: () => undefined,
      },
    })
    const errors: string[] = []
    const bounces: string[] = []
    federation.on('error', (error) => errors.push(error.message))
    federation.on('bounce', (b) => bounces.push(b.condition))
    await federation.start()
    const sent = federation.send(
      xml('message', { from: 'bot@c.test', to: 'eve@d.test' }, xml('body', {}, 'x')),
    )
    await expect(sent).rejects.toMatchObject({ condition: 'internal-server-error' })
    expect(errors).toEqual(['the email directory failed: directory down'])
    expect(bounces).toEqual(['internal-server-error'])
    await federation.stop()
  })
})

describe('a host that owns its sockets', () => {
  it('acceptSocket() runs a socket the host accepted as an inbound stream of the federation', async () => {
    const { createServer } = await import('node:net')
    const d = createFederation({
      config: await configFor(pki, 'd.test', { policy: { peerRules: [] } }),
      logger: false,
    })
    await d.start()
    const received: Element[] = []
    d.on('stanza', (s) => received.push(s))
    // The host's own listener, on a port the federation knows nothing about.
    const server = createServer((socket) => d.acceptSocket(socket))
    await new Promise<void>((resolve) => server.listen(25395, '127.0.0.1', resolve))
    const c = createFederation({
      config: await configFor(pki, 'c.test', {
        routes: { 'd.test': [{ host: '127.0.0.1', port: 25395 }] },
        policy: { peerRules: [] },
      }),
      logger: false,
    })
    await c.start()
    await c.send(
      xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'own-socket' }, xml('body', {}, 'x')),
    )
    await expect.poll(() => received.map((s) => s.attrs.id)).toEqual(['own-socket'])
    await c.stop()
    await d.stop()
    await new Promise((resolve) => server.close(resolve))
    // Two TLS handshakes and two closing handshakes: seconds on a loaded machine.
  }, 30_000)

  it('send() refuses what is not an element with a TypeError', async () => {
    const federation = createFederation({ config: await configFor(pki, 'c.test'), logger: false })
    await federation.start()
    expect(() => federation.send('<message/>' as unknown as Element)).toThrow(TypeError)
    expect(() => federation.send({ name: 'message' } as unknown as Element)).toThrow(TypeError)
    await federation.stop()
  })
})
