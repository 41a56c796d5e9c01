import type { FederationStatus } from '@xmpp-federation/router'
import { asFederationStatus, StatusFetchError } from './status-shape.js'

export interface FetchStatusOptions {
  /** Default 5000 ms. */
  timeoutMs?: number
  /** Default the global fetch (Node 20). */
  fetch?: typeof globalThis.fetch
}

const STATUS_PATH = 'api/status'

/** `http://127.0.0.1:8080` → `http://127.0.0.1:8080/api/status`; a URL already ending in /api/status is kept. */
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
  if (parsed.pathname.replace(/\/+$/, '').endsWith(`/${STATUS_PATH}`)) return parsed
  const base = parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`
  return new URL(`${base}${STATUS_PATH}`, parsed)
}

/** GET /api/status of a host application (the gateway example serves it): the router's FederationStatus. */
export async function fetchStatus(url: string, options: FetchStatusOptions = {}): Promise<FederationStatus> {
  const target = statusUrl(url)
  const fetchImpl = options.fetch ?? globalThis.fetch
  let response: Response
  try {
    response = await fetchImpl(target, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    })
  } catch (error) {
    // fetch says "fetch failed"; the reason (ECONNREFUSED, a timeout) is in the cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const reason = cause?.code ?? cause?.message ?? (error as Error).message
    throw new StatusFetchError(`cannot reach ${target.href}: ${reason}`)
  }
  if (!response.ok) {
    throw new StatusFetchError(`GET ${target.href} answered ${response.status} ${response.statusText}`.trim())
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw new StatusFetchError(`GET ${target.href} did not answer JSON`)
  }
  return asFederationStatus(body, target.href)
}
