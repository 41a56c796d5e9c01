import { readFileSync } from 'node:fs'
import * as http from 'node:http'
import * as router from '@xmpp-federation/router'
import { runReadmeSnippet } from '@xmpp-federation/testing'
import { describe, expect, it, vi } from 'vitest'
import * as diagnostics from '../src/index.js'
import { CONFIG_FINDING_CODES, DOCTOR_CODES } from '../src/index.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const troubleshooting = readFileSync(new URL('../../../docs/troubleshooting.md', import.meta.url), 'utf8')

// Codes that only ever pass or skip: everything else is a problem an administrator may meet.
const NEVER_A_PROBLEM = new Set([
  'POLICY_ALLOWED',
  'DNS_STATIC_ROUTE',
  'DNS_SRV_OK',
  'DNS_SRV_ABSENT',
  'DNS_ADDRESS_OK',
  'TCP_OK',
  'STARTTLS_OK',
  'DIRECT_TLS_OK',
  'TLS_CHAIN_OK',
  'TLS_CERT_NAME_OK',
  'TLS_CERT_VALID',
  'TLS_CERT_PURPOSE_OK',
  'SASL_EXTERNAL_OFFERED',
  'DIALBACK_OFFERED',
  'AUTH_OK',
  'AUTH_SKIPPED',
])

describe('the documentation', () => {
  it('the README lists every doctor code and every check-config code', () => {
    expect(DOCTOR_CODES.filter((code) => !readme.includes(`\`${code}\``))).toEqual([])
    const documented = (code: string) => readme.includes(`\`${code}\``) || readme.includes(`/ \`${code}\``)
    expect(CONFIG_FINDING_CODES.filter((code) => !documented(code))).toEqual([])
  })

  it('docs/troubleshooting.md has a section for every code that can be a warning or a failure', () => {
    const problems = DOCTOR_CODES.filter((code) => !NEVER_A_PROBLEM.has(code))
    expect(problems.filter((code) => !troubleshooting.includes(`\n### ${code}\n`))).toEqual([])
  })

  it('the status handler usage runs as written', async () => {
    const log = vi.fn()
    await runReadmeSnippet(
      new URL('../README.md', import.meta.url),
      {
        'node:http': http,
        '@xmpp-federation/router': router,
        '@xmpp-federation/diagnostics': diagnostics,
      },
      { console: { log } },
      '## Status over HTTP: `createStatusHandler(options)`',
    )
    expect(log.mock.calls).toEqual([[200, 'running'], [401]])
  })
})
