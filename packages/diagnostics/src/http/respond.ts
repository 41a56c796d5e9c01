import type { ServerResponse } from 'node:http'

/** Writes a complete answer; a HEAD request gets the same headers and no body. */
export function respond(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    // Live state: a cache in between would show an old one.
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(res.req?.method === 'HEAD' ? undefined : body)
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

/** Refusals are `{ error: { condition, message } }`, as in the gateway example's API. */
export function respondError(
  res: ServerResponse,
  status: number,
  condition: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  respond(res, status, JSON_CONTENT_TYPE, `${JSON.stringify({ error: { condition, message } })}\n`, headers)
}
