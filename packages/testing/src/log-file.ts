import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

/** The file's text, or '' while it does not exist yet. */
export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw error
  }
}

export async function tail(file: string, lines = 30): Promise<string> {
  return (await readText(file)).trimEnd().split('\n').slice(-lines).join('\n')
}

/** Why a peer did not start, with the end of its console output and of its log. */
export async function startFailure(
  name: string,
  error: Error,
  files: { consoleLogPath: string; logPath: string },
): Promise<Error> {
  return new Error(
    `${name} did not start: ${error.message}\n` +
      `--- ${files.consoleLogPath}\n${await tail(files.consoleLogPath)}\n` +
      `--- ${files.logPath}\n${await tail(files.logPath)}`,
  )
}

export interface WaitForLineOptions {
  timeoutMs: number
  /** Polled between reads: a reason to give up early (e.g. the writer exited). */
  failure?: () => string | undefined
}

/** Polls a log until a line matches; resolves with that line. */
export async function waitForLine(
  file: string,
  pattern: RegExp,
  options: WaitForLineOptions,
): Promise<string> {
  // a /g or /y pattern keeps lastIndex between test() calls: use a stateless copy
  const matcher = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    const line = (await readText(file)).split('\n').find((candidate) => matcher.test(candidate))
    if (line !== undefined) return line
    const reason =
      options.failure?.() ?? (Date.now() > deadline ? `timeout after ${options.timeoutMs} ms` : undefined)
    if (reason)
      throw new Error(
        `no line matching ${pattern} in ${file}: ${reason}; last lines:\n${await tail(file, 15)}`,
      )
    await sleep(50)
  }
}
