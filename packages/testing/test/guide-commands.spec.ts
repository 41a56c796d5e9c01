import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { guideCommandBlocks, guideFiles, runGuideCommands } from '../src/guide-commands.js'

// A guide's ```sh block without a marker must fail the guide's test, so no command goes untested unnoticed.
describe('guide commands', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-guide-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  const guide = async (text: string) => {
    const path = join(dir, 'guide.md')
    await writeFile(path, text)
    return pathToFileURL(path)
  }

  it('refuses a ```sh block without a marker', async () => {
    const url = await guide('# G\n\n```sh\necho hi\n```\n')
    expect(() => guideCommandBlocks(url)).toThrow(/guide.md:3: a ```sh block without/)
  })

  it('runs the marked blocks in order in one directory, with the files written first', async () => {
    const url = await guide(
      [
        '<!-- test: file a.txt -->',
        '```text',
        'from the guide',
        '```',
        '<!-- test: run -->',
        '```sh',
        'cp a.txt b.txt',
        '```',
        '<!-- test: not run: would fail -->',
        '```sh',
        'false',
        '```',
        '<!-- test: run -->',
        '```sh',
        'cat b.txt',
        '```',
        '',
      ].join('\n'),
    )
    expect(guideFiles(url)).toEqual([{ name: 'a.txt', content: 'from the guide\n' }])
    const runs = await runGuideCommands(url, join(dir))
    expect(runs.map((run) => [run.code, run.stdout])).toEqual([
      [0, ''],
      [0, 'from the guide\n'],
    ])
  })

  it('stops at the first failing block', async () => {
    const url = await guide(
      '<!-- test: run -->\n```sh\nfalse\necho no\n```\n<!-- test: run -->\n```sh\necho no\n```\n',
    )
    const runs = await runGuideCommands(url, dir)
    expect(runs).toHaveLength(1)
    expect(runs[0]!.code).toBe(1)
  })
})
