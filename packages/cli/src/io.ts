import { resolve } from 'node:path'

/** Everything a command touches outside itself, so tests run commands in-process. */
export interface CliIo {
  /** Writes command output (a report, or the `--json` document) as it is. */
  stdout(text: string): void
  /** Writes errors and usage as they are. */
  stderr(text: string): void
  /** Relative file arguments are resolved against this directory. */
  cwd: string
  /** Colour the ✔/⚠/✖ marks (a terminal, and NO_COLOR unset). */
  color: boolean
  /** Columns to wrap hints at. */
  width: number
}

/** The real process: its stdout and stderr, working directory and colour setting. */
export function processIo(): CliIo {
  const tty = process.stdout.isTTY === true
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: invocationDirectory(),
    color: tty && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb',
    width: Math.min(process.stdout.columns ?? 100, 120),
  }
}

export function resolveFile(io: CliIo, file: string): string {
  return resolve(io.cwd, file)
}

/**
 * Where relative paths are resolved. `pnpm xmpp-federation` (the root script) runs in the
 * repository root, and INIT_CWD is where the user typed it; in any other case, pnpm's
 * INIT_CWD belongs to some outer script (a test run, a deploy script) and is not ours.
 */
function invocationDirectory(): string {
  const viaRootScript = process.env.npm_lifecycle_event === 'xmpp-federation'
  return viaRootScript && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd()
}
