import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as ltx from 'ltx'
import { describe, expect, it, vi } from 'vitest'
import * as policy from '../src/index.js'

/** The README's usage snippet is run as written, so it cannot drift from the code. */
describe('README usage', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''

  it('runs, and logs the refusals', async () => {
    const modules: Record<string, Record<string, unknown>> = {
      'node:assert/strict': { default: assert },
      ltx: ltx as unknown as Record<string, unknown>,
      '@xmpp-federation/policy': policy as unknown as Record<string, unknown>,
    }
    const bindings: Record<string, unknown> = {}
    const body = snippet.replace(
      /^import\s+(.+?)\s+from\s+'([^']+)'\n/gm,
      (_line, what: string, from: string) => {
        const module = modules[from]
        if (!module) throw new Error(`README imports unknown module ${from}`)
        const named = /^\{(.*)\}$/.exec(what)
        if (named) for (const name of named[1]!.split(',').map((n) => n.trim())) bindings[name] = module[name]
        else bindings[what] = module.default
        return ''
      },
    )
    expect(body).not.toMatch(/^import /m)
    const log = vi.fn()
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor
    await new AsyncFunction('console', ...Object.keys(bindings), body)({ log }, ...Object.values(bindings))
    const lines = log.mock.calls.map((args) => args.join(' '))
    expect(lines).toContain(
      'domain ciscoexample.com: SIP_FEDERATED (ciscoexample.com is still configured for SIP federation (sipFederatedDomains entry ciscoexample.com); remove it from sipFederatedDomains before enabling XMPP federation with it)',
    )
    expect(lines.some((line) => line.startsWith('inbound-stanza webex.example: WEBEX_INVITE'))).toBe(true)
  })
})
