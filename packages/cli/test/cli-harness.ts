import { type CliIo, run } from '../src/index.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON (for --json runs). */
  json(): Record<string, unknown>
}

/** Runs the command line in-process, as `xmpp-federation ...args` typed in `cwd`. */
export async function runCli(args: string[], cwd = process.cwd()): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    cwd,
    color: false,
    width: 100,
  }
  const code = await run(args, io)
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> }
}
