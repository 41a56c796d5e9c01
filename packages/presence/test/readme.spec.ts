import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { runReadmeSnippet } from '@xmpp-federation/testing'
import * as ltx from 'ltx'
import { expect, it, vi } from 'vitest'
import * as presence from '../src/index.js'

const README = new URL('../README.md', import.meta.url)

it('the README usage runs as written and prints what the README says', async () => {
  const log = vi.fn()
  await runReadmeSnippet(
    README,
    { 'node:assert/strict': { default: assert }, ltx, '@xmpp-federation/presence': presence },
    { console: { log } },
  )
  const printed = log.mock.calls.map((args) => args.join(' '))
  const promised = /It prints:\n\n```\n([\s\S]*?)\n```/.exec(readFileSync(README, 'utf8'))?.[1]
  expect(printed).toEqual(promised?.split('\n'))
})
