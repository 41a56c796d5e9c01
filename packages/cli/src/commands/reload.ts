import { parseArgs } from 'node:util'
import { statusUrl } from '@xmpp-federation/diagnostics'
import { COMMON_OPTIONS, positiveInteger, withUsageErrors } from '../args.js'
import type { CliIo } from '../io.js'
import { jsonDocument } from '../render/json.js'
import { type ReloadAnswer, renderReloadReport } from '../render/reload-report.js'
import { EXIT, UsageError } from '../usage.js'

const OPTIONS = {
  token: { type: 'string' },
  timeout: { type: 'string' },
} as const

/**
 * `xmpp-federation reload URL`: POSTs to the reload route of a running host (createStatusHandler
 * with `reload`, or the gateway) and prints what changed, which streams closed, or why the new
 * configuration was refused.
 */
export async function reloadCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args, options: { ...COMMON_OPTIONS, ...OPTIONS }, allowPositionals: true, strict: true }),
  )
  if (positionals.length !== 1) throw new UsageError('reload takes one URL')
  if (values.token === '') throw new UsageError('--token is empty')
  const url = reloadUrl(positionals[0]!)
  const timeoutMs = positiveInteger(values.timeout, '--timeout', 30_000)
  const answer = await postReload(url, values.token, timeoutMs)
  const ok = answer.kind === 'applied'
  if (values.json) io.stdout(jsonDocument('reload', ok, { url, ...answer }))
  else if (ok) io.stdout(renderReloadReport(answer))
  else io.stderr(renderReloadReport(answer))
  return ok ? EXIT.ok : EXIT.problems
}

/** Where the reload route is: next to the status route the same URL would name. */
export function reloadUrl(given: string): string {
  let parsed: URL
  try {
    const trimmed = given.replace(/\/+$/, '')
    parsed = statusUrl(trimmed.endsWith('/reload') ? trimmed.slice(0, -'/reload'.length) || given : given)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  parsed.pathname = `${parsed.pathname.slice(0, -'/status'.length)}/reload`
  return parsed.href
}

async function postReload(url: string, token: string | undefined, timeoutMs: number): Promise<ReloadAnswer> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    return {
      kind: 'failed',
      message: `cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    }
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (response.ok && body && Array.isArray(body.changed)) return { kind: 'applied', report: body as never }
  const error = (body?.error ?? {}) as { message?: string; issues?: unknown }
  if (response.status === 422 && Array.isArray(error.issues)) {
    return { kind: 'refused', message: error.message ?? 'refused', issues: error.issues as never }
  }
  const hint = response.status !== 401 ? '' : token ? ': the token was refused' : ': it needs --token'
  const detail = error.message ? ` (${error.message})` : ''
  return { kind: 'failed', message: `POST ${url} answered ${response.status}${hint}${detail}` }
}
