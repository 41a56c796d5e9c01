import type { PresenceAction, RosterView, Show } from '@xmpp-federation/presence'
import type { FederationStatus } from '@xmpp-federation/router'
import type { MessageType } from './api-requests.js'
import type { InboxItem } from './inbox.js'

/** An error answer of the gateway's HTTP API. */
export class GatewayApiError extends Error {
  override readonly name = 'GatewayApiError'

  constructor(
    readonly status: number,
    readonly condition: string,
    message: string,
  ) {
    super(`${status} ${condition}: ${message}`)
  }
}

export interface PresenceResult {
  readonly sent: { to: string; type: string }[]
  readonly failed: { to: string; type: string; condition: string; message: string }[]
}

/** A small typed client of the gateway's HTTP API (the demo and the tests use it). */
export class GatewayClient {
  constructor(readonly url: string) {}

  sendMessage(message: {
    from: string
    to: string
    body: string
    type?: MessageType
  }): Promise<{ id: string }> {
    return this.call('POST', '/api/messages', message)
  }

  presence(request: {
    from: string
    to?: string
    action: PresenceAction
    show?: Show
    status?: string
  }): Promise<PresenceResult> {
    return this.call('POST', '/api/presence', request)
  }

  async ping(from: string, to: string): Promise<number> {
    return (await this.call<{ rttMs: number }>('POST', '/api/ping', { from, to })).rttMs
  }

  status(): Promise<FederationStatus> {
    return this.call('GET', '/api/status')
  }

  roster(user: string): Promise<RosterView> {
    return this.call('GET', `/api/roster?user=${encodeURIComponent(user)}`)
  }

  async inbox(query: { since?: number; user?: string } = {}): Promise<InboxItem[]> {
    return (await this.call<{ items: InboxItem[] }>('GET', `/api/inbox${queryString(query)}`)).items
  }

  /**
   * The first inbox item (delivered earlier or arriving later) for which
   * `predicate` holds, read from the server-sent events of /api/events.
   */
  async waitFor(
    predicate: (item: InboxItem) => boolean,
    options: { timeoutMs?: number; what?: string; since?: number } = {},
  ): Promise<InboxItem> {
    const timeoutMs = options.timeoutMs ?? 10_000
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), timeoutMs)
    try {
      const res = await fetch(`${this.url}/api/events${queryString({ since: options.since ?? 0 })}`, {
        signal: abort.signal,
      })
      if (!res.ok || !res.body)
        throw new GatewayApiError(res.status, 'undefined-condition', 'no event stream')
      for await (const item of readEvents(res.body)) if (predicate(item)) return item
      throw new Error('the event stream ended')
    } catch (error) {
      if (abort.signal.aborted) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${options.what ?? 'an inbox item'} at ${this.url}`,
        )
      }
      throw error
    } finally {
      clearTimeout(timer)
      abort.abort()
    }
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const answer = (await res.json()) as T & { error?: { condition: string; message: string } }
    if (!res.ok) {
      throw new GatewayApiError(
        res.status,
        answer.error?.condition ?? 'undefined-condition',
        answer.error?.message ?? '',
      )
    }
    return answer
  }
}

/** Inbox items from a text/event-stream body (the `data:` line of each event). */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<InboxItem> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    let end = buffer.indexOf('\n\n')
    while (end !== -1) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n')
      buffer = buffer.slice(end + 2)
      if (data) yield JSON.parse(data) as InboxItem
      end = buffer.indexOf('\n\n')
    }
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value))
  const text = params.toString()
  return text ? `?${text}` : ''
}
