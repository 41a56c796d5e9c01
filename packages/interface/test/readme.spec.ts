import { runReadmeSnippet } from '@xmpp-federation/testing'
import { expect, it, vi } from 'vitest'
import * as iface from '../src/index.js'

it('the README usage runs as written and prints what its comments say', async () => {
  const log = vi.fn()
  await runReadmeSnippet(
    new URL('../README.md', import.meta.url),
    { '@xmpp-federation/interface': iface },
    { console: { log } },
  )
  expect(log.mock.calls.map((c) => c[0])).toEqual([
    { ok: true, value: 'xn--bcher-kva.example' },
    { ok: false, problem: "contains ':'" },
    'a.example',
    undefined,
  ])
})
