import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * One ```sh block of a guide in docs/. Every such block carries a marker on the line
 * before it, so no command can go untested unnoticed:
 *
 *     <!-- test: run -->                  the test runs the block as written
 *     <!-- test: not run: WHY -->         it cannot run here, and the guide says so
 *
 * A fenced block of any language marked `<!-- test: file NAME -->` is written to NAME
 * before the commands run (a configuration the commands then check, for example).
 */
export interface GuideCommandBlock {
  run: boolean
  /** Why the block is not run (from the marker). */
  reason?: string
  code: string
  /** 1-based line of the ```sh fence. */
  line: number
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url))

export function guideCommandBlocks(guideUrl: URL): GuideCommandBlock[] {
  const lines = readFileSync(guideUrl, 'utf8').split('\n')
  const blocks: GuideCommandBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue
    const marker = /^<!-- test: (run|not run: (.+)) -->$/.exec(lines[i - 1] ?? '')
    if (!marker) throw new Error(`${guideUrl.pathname}:${i + 1}: a \`\`\`sh block without <!-- test: ... -->`)
    const end = lines.indexOf('```', i + 1)
    if (end < 0) throw new Error(`${guideUrl.pathname}:${i + 1}: unclosed \`\`\`sh block`)
    const block: GuideCommandBlock = {
      run: marker[1] === 'run',
      code: lines.slice(i + 1, end).join('\n'),
      line: i + 1,
    }
    if (marker[2] !== undefined) block.reason = marker[2]
    blocks.push(block)
    i = end
  }
  return blocks
}

/** The blocks marked `<!-- test: file NAME -->`: what a guide asks the reader to write. */
export function guideFiles(guideUrl: URL): { name: string; content: string }[] {
  const text = readFileSync(guideUrl, 'utf8')
  return [...text.matchAll(/^<!-- test: file (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm)].map((match) => ({
    name: match[1]!,
    content: match[2]!,
  }))
}

export interface GuideRun {
  block: GuideCommandBlock
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs a guide's `run` blocks in order, each with `bash -euo pipefail`, in `dir`
 * (shared, so a block sees the files the previous ones wrote). `xmpp-federation`
 * is on the PATH and runs the cli from its TypeScript sources, as an installed
 * `@xmpp-federation/cli` would be run by a deployer; no build needed.
 * Stops at the first block that fails.
 */
export async function runGuideCommands(guideUrl: URL, dir: string): Promise<GuideRun[]> {
  const bin = join(dir, '.guide-bin')
  await mkdir(bin, { recursive: true })
  const tsconfig = join(bin, 'tsconfig.json')
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: join(REPO, 'tsconfig.base.json'),
      compilerOptions: { baseUrl: REPO, paths: { '@xmpp-federation/*': ['packages/*/src/index.ts'] } },
    }),
  )
  const tsx = join(REPO, 'node_modules/tsx/dist/cli.mjs')
  const main = join(REPO, 'packages/cli/src/main.ts')
  const shim = join(bin, 'xmpp-federation')
  await writeFile(
    shim,
    `#!/bin/sh\nexec "${process.execPath}" "${tsx}" --tsconfig "${tsconfig}" "${main}" "$@"\n`,
  )
  await chmod(shim, 0o755)
  for (const file of guideFiles(guideUrl)) await writeFile(join(dir, file.name), file.content)
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1' }
  const runs: GuideRun[] = []
  for (const block of guideCommandBlocks(guideUrl).filter((b) => b.run)) {
    const run = await new Promise<GuideRun>((resolve) => {
      execFile('bash', ['-euo', 'pipefail', '-c', block.code], { cwd: dir, env }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ block, code, stdout, stderr })
      })
    })
    runs.push(run)
    if (run.code !== 0) break
  }
  return runs
}
