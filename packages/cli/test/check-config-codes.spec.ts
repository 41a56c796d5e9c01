import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './cli-harness.js'

// check-config --json shows the config package's code for each problem kind, so scripts can
// act on the kind without parsing messages. One file per kind.

type Finding = { severity: string; code: string; path: string }

describe('check-config --json: the code of each configuration problem', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-codes-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const findingsOf = async (name: string, text: string) => {
    await writeFile(join(dir, name), text)
    const result = await runCli(['check-config', name, '--json'], dir)
    return { code: result.code, findings: result.json().findings as Finding[] }
  }
  const json = (settings: object) =>
    JSON.stringify({ dialback: { secret: 'a-long-enough-secret' }, ...settings })

  const errors: [string, object, string][] = [
    ['UNKNOWN_KEY', { domains: ['c.test'], lisen: [] }, 'lisen'],
    ['BAD_VALUE', { domains: ['c.test'], security: { tls: 'requried' } }, 'security.tls'],
    ['MISSING_VALUE', { security: { tls: 'required' } }, 'domains'],
    ['MISSING_FILE', { domains: ['c.test'], tls: { cert: 'no.crt', key: 'no.key' } }, 'tls.cert'],
    ['DUPLICATE', { domains: ['c.test', 'C.TEST'] }, 'domains[1]'],
    [
      'SIP_CONFLICT',
      { domains: ['c.test'], policy: { sipFederatedDomains: ['s.test'], allow: ['s.test'] } },
      'policy.sipFederatedDomains[0]',
    ],
    ['NO_AUTH_METHOD', { domains: ['c.test'], security: { tls: 'none', dialback: false } }, 'security'],
    [
      'STANZA_LIMIT_TOO_SMALL',
      { domains: ['c.test'], policy: { limits: { maxStanzaBytes: 4096 } } },
      'policy.limits.maxStanzaBytes',
    ],
    [
      'CONFLICT',
      { domains: ['c.test'], policy: { mode: 'allowlist', allow: ['a.test'], deny: ['a.test'] } },
      'policy.allow[0]',
    ],
  ]
  it.each(errors)('%s is an error', async (code, settings, path) => {
    const result = await findingsOf(`${code}.json`, json(settings))
    expect(result.code).toBe(1)
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: 'error', code, path }))
  })

  it('BAD_FILE is an error about the whole file', async () => {
    const result = await findingsOf('broken.json', '{ "domains": [')
    expect(result.code).toBe(1)
    expect(result.findings).toEqual([
      expect.objectContaining({ severity: 'error', code: 'BAD_FILE', path: '' }),
    ])
  })

  it('UNUSED_SETTING is a warning: exit 0, or 1 with --strict', async () => {
    // No certificate, so nothing TLS-dependent that diagnostics would warn about.
    const security = { tls: 'opportunistic', saslExternal: { inbound: false, outbound: false } }
    const settings = { domains: ['c.test'], security, policy: { allow: ['a.test'] } }
    const result = await findingsOf('unused.json', json(settings))
    expect(result.code).toBe(0)
    expect(result.findings).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'UNUSED_SETTING', path: 'policy.allow' }),
    ])
    expect((await runCli(['check-config', 'unused.json', '--strict'], dir)).code).toBe(1)
  })
})
