import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './cli-harness.js'

describe('xmpp-federation migration-plan', () => {
  let dir: string
  const write = async (name: string, settings: object) => {
    await writeFile(join(dir, name), JSON.stringify(settings, null, 2))
    return name
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-cli-migration-'))
    // No certificate files: the plan reads the policy only.
    await write('sip.json', {
      domains: ['corp.example'],
      tls: { cert: 'missing.crt', key: 'missing.key' },
      policy: { sipFederatedDomains: ['partner.example', '*.sip.example'] },
    })
    await write('allowlist.json', {
      domains: ['corp.example'],
      policy: { mode: 'allowlist', allow: ['partner.example'] },
    })
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('a domain still SIP-listed: the first step removes it, exit 1', async () => {
    const result = await runCli(['migration-plan', 'Partner.Example', '--config', 'sip.json'], dir)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Migration of partner.example from SIP to XMPP federation')
    expect(result.stdout).toMatch(
      /1\. ✖ remove partner\.example from sipFederatedDomains before enabling XMPP/,
    )
    expect(result.stdout).toContain('Do step 1 first: until then XMPP federation with it is refused.')
    expect(result.stdout).toContain('Then check: xmpp-federation doctor partner.example --config sip.json')
  })

  it('a wildcard SIP entry is the entry to remove', async () => {
    const result = await runCli(['migration-plan', 'im.sip.example', '--config', 'sip.json'], dir)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('remove *.sip.example from sipFederatedDomains')
  })

  it('a domain already XMPP-only says so, exit 0', async () => {
    const result = await runCli(['migration-plan', 'partner.example', '--config', 'allowlist.json'], dir)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('1. ✔ partner.example is not in sipFederatedDomains')
    expect(result.stdout).toContain('Nothing to do: partner.example federates over XMPP only.')
  })

  it('not SIP-listed but not allowed either: the step left is to allow it', async () => {
    const result = await runCli(['migration-plan', 'other.example', '--config', 'allowlist.json'], dir)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('2. ✖ then enable XMPP federation: add other.example to policy.allow')
    expect(result.stdout).toContain('Do step 2 first.')
  })

  it('--json gives the plan with every step and the check', async () => {
    const result = await runCli(['migration-plan', 'partner.example', '--config', 'sip.json', '--json'], dir)
    expect(result.code).toBe(1)
    expect(result.json()).toEqual({
      schemaVersion: 1,
      command: 'migration-plan',
      ok: false,
      config: 'sip.json',
      domain: 'partner.example',
      safe: false,
      complete: false,
      steps: [
        { done: false, text: expect.stringContaining('remove partner.example from sipFederatedDomains') },
        { done: true, text: 'XMPP federation with partner.example is enabled (mode open)' },
      ],
      check: 'xmpp-federation doctor partner.example --config sip.json',
    })
  })

  it('a missing argument, a bad domain or an unusable config exits 2', async () => {
    expect(await runCli(['migration-plan', '--config', 'sip.json'], dir)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('exactly one DOMAIN'),
    })
    expect(await runCli(['migration-plan', 'partner.example'], dir)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('needs --config FILE'),
    })
    expect(await runCli(['migration-plan', 'bad domain', '--config', 'sip.json'], dir)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a valid domain name'),
    })
    const missing = await runCli(
      ['migration-plan', 'partner.example', '--config', 'nope.json', '--json'],
      dir,
    )
    expect(missing.code).toBe(2)
    expect(missing.json()).toMatchObject({ ok: false, error: { code: 'INPUT' } })
  })

  it('a config where the domain is both SIP-listed and allowed does not load (SIP_CONFLICT), exit 2', async () => {
    await write('conflict.json', {
      domains: ['corp.example'],
      policy: { mode: 'allowlist', allow: ['partner.example'], sipFederatedDomains: ['partner.example'] },
    })
    const result = await runCli(['migration-plan', 'partner.example', '--config', 'conflict.json'], dir)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('partner.example is still a SIP federated domain')
    expect(result.stderr).toContain('remove partner.example from policy.sipFederatedDomains')
  })

  it('help migration-plan shows the usage', async () => {
    expect(await runCli(['help', 'migration-plan'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('xmpp-federation migration-plan DOMAIN --config FILE [--json]'),
    })
    expect((await runCli(['--help'])).stdout).toContain('xmpp-federation migration-plan DOMAIN')
  })
})
