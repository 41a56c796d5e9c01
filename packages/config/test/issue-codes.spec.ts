import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ConfigError,
  type ConfigIssueCode,
  configWarnings,
  loadConfigFile,
  parseConfig,
  safeParseConfig,
} from '../src/index.js'
import { withBase } from './helpers.js'

// One case per code: the code is the stable contract, so each kind is pinned here.

/** The codes of every issue of an invalid configuration, by path. */
function codesOf(input: unknown): Record<string, ConfigIssueCode> {
  const result = safeParseConfig(input)
  if (result.ok) throw new Error('expected the configuration to be invalid')
  return Object.fromEntries(result.issues.map((issue) => [issue.path, issue.code]))
}

describe('a stable code per problem kind, through parseConfig', () => {
  const cases: [ConfigIssueCode, unknown, string][] = [
    ['UNKNOWN_KEY', withBase({ lisen: [] }), 'lisen'],
    ['BAD_VALUE', withBase({ listen: [{ port: 70000 }] }), 'listen[0].port'],
    [
      'BAD_VALUE',
      withBase({ policy: { peerRules: [{ product: '  ', action: 'refuse' }] } }),
      'policy.peerRules[0].product',
    ],
    ['MISSING_VALUE', {}, 'domains'],
    ['MISSING_VALUE', withBase({ tls: { cert: 'c.crt' } }), 'tls.key'],
    ['MISSING_VALUE', withBase({ listen: [{ port: 5269 }] }), 'tls'],
    ['DUPLICATE', { domains: ['c.test', 'C.test'] }, 'domains[1]'],
    [
      'DUPLICATE',
      withBase({ routes: { 'a.test': [{ host: 'x' }], 'A.test': [{ host: 'y' }] } }),
      'routes.A.test',
    ],
    [
      'SIP_CONFLICT',
      withBase({ policy: { sipFederatedDomains: ['s.test'], allow: ['s.test'] } }),
      'policy.sipFederatedDomains[0]',
    ],
    ['NO_AUTH_METHOD', withBase({ security: { dialback: false, tls: 'none' } }), 'security'],
    [
      'STANZA_LIMIT_TOO_SMALL',
      withBase({ policy: { limits: { maxStanzaBytes: 9999 } } }),
      'policy.limits.maxStanzaBytes',
    ],
    [
      'CONFLICT',
      withBase({ policy: { mode: 'allowlist', allow: ['a.spam.test'], deny: ['*.spam.test'] } }),
      'policy.allow[0]',
    ],
  ]
  it.each(cases)('%s: %j', (code, input, path) => {
    expect(codesOf(input)[path]).toBe(code)
    // parseConfig throws the one error class, carrying the same issues.
    expect(() => parseConfig(input)).toThrow(ConfigError)
  })

  it('counts a valid certificate demanded without TLS as no way to authenticate (XEP-0344)', () => {
    const domains = { 'old.test': { tls: 'none' } }
    expect(codesOf(withBase({ policy: { domains } }))['policy.domains.old.test']).toBe('NO_AUTH_METHOD')
    const relaxed = { 'old.test': { tls: 'none', requireValidCertificate: false } }
    expect(safeParseConfig(withBase({ policy: { domains: relaxed } })).ok).toBe(true)
  })

  it('checks per-domain stanza limits against RFC 6120 §13.12 too', () => {
    const domains = { 'a.test': { limits: { maxStanzaBytes: 512 } } }
    expect(codesOf(withBase({ policy: { domains } }))['policy.domains.a.test.limits.maxStanzaBytes']).toBe(
      'STANZA_LIMIT_TOO_SMALL',
    )
    expect(safeParseConfig(withBase({ policy: { limits: { maxStanzaBytes: 10_000 } } })).ok).toBe(true)
  })

  it('leaves an allow entry alone that a deny entry only overlaps', () => {
    const policy = { mode: 'allowlist', allow: ['*.partner.test'], deny: ['bad.partner.test'] }
    expect(safeParseConfig(withBase({ policy })).ok).toBe(true)
  })
})

describe('warnings: valid, but with no effect', () => {
  it('UNUSED_SETTING for an allow list outside allowlist mode and for repeated set entries', () => {
    const config = parseConfig(withBase({ policy: { allow: ['a.test'], deny: ['x.test', 'X.test'] } }))
    expect(configWarnings(config).map((issue) => [issue.code, issue.path])).toEqual([
      ['UNUSED_SETTING', 'policy.allow'],
      ['UNUSED_SETTING', 'policy.deny[1]'],
    ])
    expect(configWarnings(parseConfig(withBase({})))).toEqual([])
  })
})

describe('file codes, through loadConfigFile', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-codes-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function codesOfFile(name: string, text?: string): Promise<ConfigIssueCode[]> {
    const file = join(dir, name)
    if (text !== undefined) await writeFile(file, text)
    const error = await loadConfigFile(file).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).issues.map((issue) => issue.code)
  }

  it('MISSING_FILE for an absent configuration file or certificate', async () => {
    expect(await codesOfFile('absent.yaml')).toEqual(['MISSING_FILE'])
    expect(await codesOfFile('cert.yaml', 'domains: [c.test]\ntls: { cert: no.crt, key: no.key }\n')).toEqual(
      ['MISSING_FILE', 'MISSING_FILE'],
    )
  })

  it('BAD_FILE for an unknown file type, a syntax error or an empty file', async () => {
    expect(await codesOfFile('config.toml', 'domains = 1')).toEqual(['BAD_FILE'])
    expect(await codesOfFile('broken.json', '{ "domains": [')).toEqual(['BAD_FILE'])
    expect(await codesOfFile('empty.yaml', '')).toEqual(['BAD_FILE'])
  })

  it('BAD_FILE for a file that exists but cannot be read', async () => {
    if (process.getuid?.() === 0) return // root reads everything
    const file = join(dir, 'locked.yaml')
    await writeFile(file, 'domains: [c.test]\n')
    await chmod(file, 0)
    expect(await codesOfFile('locked.yaml')).toEqual(['BAD_FILE'])
  })

  it('schema and consistency codes keep their code, with a line, when read from a file', async () => {
    const error = await loadConfigFile(
      await (async () => {
        const file = join(dir, 'sip.yaml')
        await writeFile(
          file,
          'domains: [c.test]\npolicy:\n  allow: [s.test]\n  sipFederatedDomains: [s.test]\n',
        )
        return file
      })(),
    ).catch((caught: unknown) => caught as ConfigError)
    expect((error as ConfigError).issues).toMatchObject([{ code: 'SIP_CONFLICT', line: 4 }])
  })
})
