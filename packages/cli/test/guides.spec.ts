import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as router from '@xmpp-federation/router'
import { runReadmeSnippet } from '@xmpp-federation/testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCli } from './cli-harness.js'

/*
 * Runs the deployment guides under docs/ as written, top to bottom, in one temp directory per
 * guide. What a guide marks, and how:
 *
 * - A ```yaml or ```json block right after `<!-- file: NAME -->` is the content of the file NAME.
 *   It is written at that point of the guide; a later block with the same NAME replaces it (the
 *   guide edited the file).
 * - A ```sh block holds `xmpp-federation ...` commands, one a line (arguments without quotes or
 *   spaces; lines starting with # are comments). Each runs in the temp directory with the command
 *   line in-process, as cli.spec.ts runs it.
 * - `<!-- output, exit code N -->` then a ```text block, right after a ```sh block of one command:
 *   what that command prints (stdout; stderr when stdout is empty) and its exit code. A command
 *   with no such block must exit 0.
 * - A ```ts block runs with runReadmeSnippet (the first ```ts block under the nearest heading
 *   above it), in the temp directory, with the workspace packages it imports. When the next block
 *   is a ```text block after a line `It prints:`, that is what the snippet logs, one line a call.
 */

const GUIDES = ['sip-to-xmpp-migration.md', 'email-for-federation.md', 'multi-cluster.md']
const MODULES = { '@xmpp-federation/router': router }

interface Block {
  lang: string
  body: string
  /** The `<!-- ... -->` comment on the line before the opening fence. */
  note: string | undefined
  /** The text between the previous block and this one. */
  before: string
  /** The last markdown heading above the block. */
  heading: string | undefined
}

function blocks(markdown: string): Block[] {
  const found: Block[] = []
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm
  let end = 0
  let heading: string | undefined
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) {
    const before = markdown.slice(end, match.index)
    heading = [...before.matchAll(/^#{1,6} .+$/gm)].at(-1)?.[0] ?? heading
    const note = /<!--\s*(.+?)\s*-->\n$/.exec(before)?.[1]
    found.push({ lang: match[1]!, body: match[2]!, note, before, heading })
    end = match.index + match[0].length
  }
  return found
}

function commands(block: Block): string[][] {
  return block.body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [program, ...args] = line.split(/\s+/)
      if (program !== 'xmpp-federation')
        throw new Error(`a guide command must start with xmpp-federation: ${line}`)
      return args
    })
}

describe.each(GUIDES)('docs/%s', (guide) => {
  const markdown = readFileSync(new URL(`../../../docs/${guide}`, import.meta.url), 'utf8')
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-guide-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('every file, command and snippet it shows works as it says', async () => {
    const all = blocks(markdown)
    let checked = 0
    for (const [index, block] of all.entries()) {
      const next = all[index + 1]
      const file = /^file: (\S+)$/.exec(block.note ?? '')?.[1]
      if (file && (block.lang === 'yaml' || block.lang === 'json')) {
        await mkdir(dirname(join(dir, file)), { recursive: true })
        await writeFile(join(dir, file), block.body)
      } else if (block.lang === 'sh') {
        const expected = /^output, exit code (\d+)$/.exec(next?.note ?? '')
        const lines = commands(block)
        if (expected && lines.length !== 1) throw new Error(`shown output after ${lines.length} commands`)
        for (const args of lines) {
          const result = await runCli(args, dir)
          const shown = `xmpp-federation ${args.join(' ')}`
          if (!expected) {
            expect(result.code, `${shown}\n${result.stdout}${result.stderr}`).toBe(0)
            continue
          }
          expect({ command: shown, code: result.code, output: result.stdout || result.stderr }).toEqual({
            command: shown,
            code: Number(expected[1]),
            output: next!.body,
          })
          checked++
        }
      } else if (block.lang === 'ts') {
        const sameHeading = all.filter((other) => other.lang === 'ts' && other.heading === block.heading)
        if (sameHeading.length > 1) throw new Error(`more than one \`\`\`ts block under ${block.heading}`)
        const log = vi.fn()
        const cwd = process.cwd()
        process.chdir(dir)
        try {
          const url = new URL(`../../../docs/${guide}`, import.meta.url)
          await runReadmeSnippet(url, MODULES, { console: { log } }, block.heading)
        } finally {
          process.chdir(cwd)
        }
        if (next?.lang === 'text' && /It prints:\s*$/.test(next.before)) {
          expect(log.mock.calls.map((call) => `${call.join(' ')}\n`).join('')).toBe(next.body)
          checked++
        }
      }
    }
    // A guide whose marks no longer match the conventions would otherwise pass silently.
    expect(checked).toBeGreaterThan(0)
  }, 30_000)
})
