import type { Logger } from '@xmpp-federation/stream'

/** What a log line is about; the second column of a human-readable line. */
export type LogKind =
  | 'gateway'
  | 'http'
  | 'session'
  | 'message'
  | 'presence'
  | 'iq'
  | 'bounce'
  | 'policy'
  | 'router'
  | 'reload'
  | 'cluster'
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface GatewayLog {
  /** One line about one event. `fields` go to JSON logs; human lines show `text`. */
  event(kind: LogKind, text: string, fields?: Record<string, unknown>, level?: LogLevel): void
  /** The same output as the router's logger, so its lines sit between ours. */
  readonly logger: Logger
}

export interface LogOptions {
  /** One JSON object per line instead of text for people. */
  readonly json?: boolean
  /** Include debug lines (the router's per-target connection attempts...). */
  readonly verbose?: boolean
  /** Shown before every human line, e.g. the domain when two gateways share a terminal. */
  readonly prefix?: string
  /** Where lines go; default stdout. */
  readonly write?: (line: string) => void
}

/** Router warnings the gateway already logs from the federation's `session` events. */
const REPORTED_BY_EVENTS = new Set(['s2s connection failed'])

export function createLog(options: LogOptions = {}): GatewayLog {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`))
  const prefix = options.prefix ? `[${options.prefix}] ` : ''
  const event = (
    kind: LogKind,
    text: string,
    fields: Record<string, unknown> = {},
    level: LogLevel = 'info',
  ) => {
    if (level === 'debug' && !options.verbose) return
    const time = new Date()
    if (options.json) {
      write(JSON.stringify({ time: time.toISOString(), level, event: kind, msg: text, ...fields }))
      return
    }
    const mark = level === 'warn' || level === 'error' ? `${level.toUpperCase()} ` : ''
    write(`${prefix}${clock(time)} ${kind.padEnd(8)} ${mark}${text}`)
  }
  // The router speaks in messages plus fields; people need the fields inline. Its
  // info lines (authenticated pairs, refusals) repeat what the gateway logs from
  // the federation's events, so they show with --verbose only.
  const routerLine = (level: LogLevel) => (fields: Record<string, unknown>, message: string) =>
    event(
      'router',
      options.json ? message : `${message}${formatFields(fields)}`,
      fields,
      level === 'info' || REPORTED_BY_EVENTS.has(message) ? 'debug' : level,
    )
  return {
    event,
    logger: {
      debug: routerLine('debug'),
      info: routerLine('info'),
      warn: routerLine('warn'),
      error: routerLine('error'),
    },
  }
}

const ignore = () => {}
export const silentLog: GatewayLog = {
  event: ignore,
  logger: { debug: ignore, info: ignore, warn: ignore, error: ignore },
}

function clock(time: Date): string {
  return time.toISOString().slice(11, 23)
}

function formatFields(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`,
    )
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`
}

/** A message body as it appears in a log line: quoted, on one line, cut when long. */
export function quoteBody(body: string, max = 60): string {
  const flat = body.replace(/\s+/g, ' ')
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat)
}
