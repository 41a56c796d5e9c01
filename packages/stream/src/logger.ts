/**
 * Structured log sink, in the calling convention of pino (and bunyan): fields
 * first, then the message. A pino logger passes as it is, fields intact.
 */
export interface Logger {
  /** Detail for tracing one stream; usually off. */
  debug(fields: Record<string, unknown>, message: string): void
  /** Normal events: a stream opened, a pair authenticated. */
  info(fields: Record<string, unknown>, message: string): void
  /** A peer misbehaved or a setting needs attention; the process carries on. */
  warn(fields: Record<string, unknown>, message: string): void
  /** A failure of our own that an operator should look at. */
  error(fields: Record<string, unknown>, message: string): void
}

/** What a host may pass: its own logger, nothing (warnings and errors go to stderr), or `false` (silence). */
export type LoggerOption = Logger | false | undefined

const ignore = () => {}
/** A logger that drops everything: what `logger: false` means. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }

/**
 * The logger used when the host passes none: warnings and errors, one line each on
 * stderr, so that advice such as "no dialback secret, using a random one" is seen.
 */
export const stderrLogger: Logger = {
  debug: ignore,
  info: ignore,
  warn: (fields, message) => writeLine('warn', fields, message),
  error: (fields, message) => writeLine('error', fields, message),
}

function writeLine(level: string, fields: Record<string, unknown>, message: string): void {
  const detail = Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : ''
  process.stderr.write(`xmpp-federation ${level}: ${message}${detail}\n`)
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch {
    return '[unserializable fields]'
  }
}

/** The host's choice, made concrete: its logger, stderr by default, or silence for `false`. */
export function resolveLogger(option: LoggerOption): Logger {
  if (option === false) return silentLogger
  return option ?? stderrLogger
}
