import type { FederationStatus } from '@xmpp-federation/router'
import { asFederationStatus, StatusFetchError } from './status-shape.js'

/** Options of fetchStatus: the timeout and the fetch implementation. */
export interface FetchStatusOptions {
  /** Default 5000 ms. */
  timeoutMs?: number
  /** Default the global fetch (Node 20). */
  fetch?: typeof globalThis.fetch
  /** Sent as `Authorization: Bearer <token>`, for a handler created with a token. */
  token?: string
}

/** Where the gateway example served the status before hosts could mount it anywhere. */
const LEGACY_STATUS_PATH = '/api/status'

/**
 * The status URL of what a user typed. A path ending in `/status` is kept
 * (`http://h:8080/ops/status`); one ending in `/metrics` means its sibling; any other path is
 * where `createStatusHandler` is mounted (`http://h:8080/ops` → `/ops/status`). A URL with no
 * path is a gateway's: `http://h:8080` → `http://h:8080/api/status`.
 */
export function statusUrl(url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new StatusFetchError(`${url} is not a URL; write it as http://host:port`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new StatusFetchError(`${url} is not an http(s) URL`)
  }
  const path = parsed.pathname.replace(/\/+$/, '')
  if (path.endsWith('/status')) parsed.pathname = path
  else if (path.endsWith('/metrics')) parsed.pathname = `${path.slice(0, -'/metrics'.length)}/status`
  else parsed.pathname = path === '' ? LEGACY_STATUS_PATH : `${path}/status`
  return parsed
}

/**
 * GET the status of a host application (see `statusUrl` for where): the router's
 * FederationStatus, as `createStatusHandler` serves it.
 */
export async function fetchStatus(url: string, options: FetchStatusOptions = {}): Promise<FederationStatus> {
  const target = statusUrl(url)
  const fetchImpl = options.fetch ?? globalThis.fetch
  let response: Response
  try {
    response = await fetchImpl(target, {
      headers: {
        accept: 'application/json',
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    })
  } catch (error) {
    // fetch says "fetch failed"; the reason (ECONNREFUSED, a timeout) is in the cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const reason = cause?.code ?? cause?.message ?? (error as Error).message
    throw new StatusFetchError(`cannot reach ${target.href}: ${reason}`)
  }
  if (!response.ok) {
    const answered = `GET ${target.href} answered ${response.status} ${response.statusText}`.trim()
    const hint =
      response.status !== 401 ? '' : options.token ? ': the token was refused' : ': it needs a token'
    throw new StatusFetchError(`${answered}${hint}`)
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw new StatusFetchError(`GET ${target.href} did not answer JSON`)
  }
  return asFederationStatus(body, target.href)
}
