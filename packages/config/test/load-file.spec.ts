import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfigFile } from '../src/index.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xf-config-'))
  for (const file of ['c.test.crt', 'c.test.key', 'ca.crt']) await writeFile(join(dir, file), 'PEM')
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

async function loadError(file: string, options?: { checkFiles?: boolean }): Promise<ConfigError> {
  const error = await loadConfigFile(file, options).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

const YAML_CONFIG = `# yaml-language-server: $schema=../schema/federation-config.schema.json
cluster: east
node: imp-1
domains: [C.Test]
listen:
  - host: 127.0.0.4
    port: 5269
tls:
  cert: c.test.crt
  key: c.test.key
  ca: [ca.crt]
dialback:
  secret: a-long-enough-dialback-secret
policy:
  mode: denylist
  deny: ["*.spam.test"]
  domains:
    a.test:
      tls: opportunistic
      limits: { maxStanzaBytes: 65536 }
`

describe('loadConfigFile', () => {
  it('loads YAML with defaults filled and file paths resolved against the file', async () => {
    const config = await loadConfigFile(await write('federation.yaml', YAML_CONFIG))
    expect(config.domains).toEqual(['c.test'])
    expect(config.tls).toEqual({
      cert: join(dir, 'c.test.crt'),
      key: join(dir, 'c.test.key'),
      ca: [join(dir, 'ca.crt')],
      systemCa: true,
    })
    expect(config.policy.domains['a.test']).toEqual({
      tls: 'opportunistic',
      limits: { maxStanzaBytes: 65536 },
    })
    expect(config.security.tls).toBe('required')
    expect(config.queue.maxStanzas).toBe(1000)
  })

  it('loads JSON, .yml and the $schema key editors use', async () => {
    const json = {
      $schema: './federation-config.schema.json',
      domains: ['c.test'],
      security: { tls: 'opportunistic' },
    }
    const fromJson = await loadConfigFile(await write('federation.json', JSON.stringify(json, null, 2)))
    expect(fromJson.security.tls).toBe('opportunistic')
    const fromYml = await loadConfigFile(await write('federation.yml', 'domains:\n  - c.test\n'))
    expect(fromYml.enabled).toBe(true)
  })

  it('gives the line and column of a YAML syntax error', async () => {
    const error = await loadError(await write('broken.yaml', 'domains:\n  - c.test\n listen: []\n'))
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]).toMatchObject({ path: '', line: 3 })
    expect(error.issues[0]!.message).toMatch(/^YAML syntax error: /)
    expect(error.message).toContain('broken.yaml')
  })

  it('rejects duplicate YAML keys, which would otherwise silently override each other', async () => {
    const error = await loadError(
      await write('duplicate.yaml', 'domains: [c.test]\nenabled: true\nenabled: false\n'),
    )
    expect(error.issues[0]).toMatchObject({ line: 3, column: 1 })
    expect(error.issues[0]!.message).toMatch(/unique/)
  })

  it('gives the line and column of a JSON syntax error', async () => {
    const error = await loadError(await write('broken.json', '{\n  "domains": ["c.test"],\n}\n'))
    expect(error.issues).toEqual([
      {
        code: 'BAD_FILE',
        path: '',
        message: expect.stringMatching(/^JSON syntax error: /),
        line: 3,
        column: 1,
      },
    ])
  })

  it('never repeats file text in a JSON syntax error, which might hold a secret', async () => {
    const text = '{\n  "domains": ["c.test"],\n  "dialback": { "secret": unquoted-secret-value }\n}\n'
    const error = await loadError(await write('unquoted.json', text))
    expect(error.issues).toEqual([
      {
        code: 'BAD_FILE',
        path: '',
        message: "JSON syntax error: Unexpected token 'u'",
        line: 3,
        column: 27,
      },
    ])
    expect(error.message).not.toContain('unquoted-secret-value')
  })

  it('locates schema issues in the file', async () => {
    const yaml = 'domains: [c.test]\nlisten:\n  - port: 70000\n    prot: 1\nsecurity:\n  tls: requried\n'
    const error = await loadError(await write('bad.yaml', yaml))
    expect(error.issues).toEqual([
      {
        code: 'BAD_VALUE',
        path: 'listen[0].port',
        message: 'must be an integer from 1 to 65535 (got 70000)',
        line: 3,
        column: 5,
      },
      {
        code: 'UNKNOWN_KEY',
        path: 'listen[0].prot',
        message: 'is not a known setting',
        fix: expect.stringMatching(/^did you mean 'port'/),
        line: 4,
        column: 5,
      },
      {
        code: 'BAD_VALUE',
        path: 'security.tls',
        message: expect.stringMatching(/^must be one of/),
        fix: "did you mean 'required'?",
        line: 6,
        column: 3,
      },
    ])
    expect(error.message).toContain(
      'listen[0].port: must be an integer from 1 to 65535 (got 70000) [line 3, column 5]',
    )

    const json = await loadError(
      await write('bad.json', '{\n  "domains": ["c.test"],\n  "listen": [{ "port": 0 }]\n}\n'),
    )
    expect(json.issues[0]).toMatchObject({ path: 'listen[0].port', line: 3, column: 16 })
  })

  it('locates issues under domain keys written in another spelling', async () => {
    // Shape issues name the key as written; checks across sections see it normalised.
    const shape = await loadError(
      await write('keys.yaml', 'domains: [c.test]\npolicy:\n  domains:\n    A.Test:\n      tls: never\n'),
    )
    expect(shape.issues[0]).toMatchObject({ path: 'policy.domains.A.Test.tls', line: 5, column: 7 })
    const routes = await loadError(
      await write('routes.yaml', 'domains: [c.test]\nroutes:\n  C.Test:\n    - host: 127.0.0.9\n'),
    )
    expect(routes.issues[0]).toMatchObject({ path: 'routes.c.test', line: 3, column: 3 })
  })

  it('reports files the configuration names but that do not exist', async () => {
    const file = await write('missing.yaml', 'domains: [c.test]\ntls:\n  cert: nope.crt\n  key: c.test.key\n')
    const error = await loadError(file)
    expect(error.issues).toEqual([
      {
        code: 'MISSING_FILE',
        path: 'tls.cert',
        message: `${join(dir, 'nope.crt')} does not exist`,
        fix: 'relative paths are resolved against the directory of the configuration file',
        line: 3,
        column: 3,
      },
    ])
    await expect(loadConfigFile(file, { checkFiles: false })).resolves.toMatchObject({
      tls: { cert: join(dir, 'nope.crt') },
    })
  })

  it('explains an empty file, an unknown extension and a missing file', async () => {
    expect((await loadError(await write('empty.yaml', '\n'))).issues[0]!.message).toBe('the file is empty')
    expect((await loadError(await write('federation.toml', 'x = 1'))).issues[0]!.fix).toBe(
      'name it *.json, *.yaml or *.yml',
    )
    expect((await loadError(join(dir, 'absent.yaml'))).issues[0]!.message).toMatch(
      /^the file cannot be read \(ENOENT/,
    )
  })
})
