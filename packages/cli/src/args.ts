import { UsageError } from './usage.js'

/** Options every command takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  strict: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Runs node:util parseArgs (strict mode): its complaints become UsageErrors, exit code 2. */
export function withUsageErrors<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

export function positiveInteger(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0) {
    throw new UsageError(`${option} must be a whole number of 0 or more, not ${JSON.stringify(value)}`)
  }
  return number
}

/** `host:port` or `[v6]:port`. */
export function hostAndPort(value: string, option: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value)
  const port = Number(match?.[2])
  if (!match || !(port >= 1 && port <= 65535)) {
    throw new UsageError(`${option} must be HOST:PORT (e.g. 192.0.2.10:5269), not ${JSON.stringify(value)}`)
  }
  return { host: match[1]!, port }
}
