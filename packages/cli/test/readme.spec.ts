import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runReadmeSnippet } from '@xmpp-federation/testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as cli from '../src/index.js'
import { runCli } from './cli-harness.js'

const README = new URL('../README.md', import.meta.url)
/** Where the README pretends the command ran. */
const SHOWN_HOME = '/home/me'

/** The first ```text block after the heading: its `$ ` command line and the output shown. */
function shownRun(heading: string): { args: string[]; output: string } {
  const readme = readFileSync(README, 'utf8')
  const block = /```text\n\$ xmpp-federation (.+)\n([\s\S]*?)```/.exec(
    readme.slice(readme.indexOf(`\n${heading}\n`)),
  )
  if (!block) throw new Error(`no \`\`\`text block with a command after ${heading}`)
  return { args: block[1]!.split(' '), output: block[2]! }
}

// The dates are the day the README was written.
const withoutDates = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}/g, 'YYYY-MM-DD')

describe('the README', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-cli-readme-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('the certs example prints what the README shows', async () => {
    const { args, output } = shownRun('## Development certificates: `certs`')
    const result = await runCli(args, dir)
    expect(result.code, result.stderr).toBe(0)
    expect(withoutDates(result.stdout.replaceAll(dir, SHOWN_HOME))).toBe(withoutDates(output))
  })

  it('the createDevelopmentCertificates usage runs as written', async () => {
    const log = vi.fn()
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      await runReadmeSnippet(
        README,
        { '@xmpp-federation/cli': cli },
        { console: { log } },
        '## Certificates from code: `createDevelopmentCertificates(options)`',
      )
    } finally {
      process.chdir(cwd)
    }
    expect(log.mock.calls).toEqual([
      ['c.test', 'cert key ca systemCa'],
      ['d.test', 'cert key ca systemCa'],
      ['new CA:', false],
    ])
  })
})
