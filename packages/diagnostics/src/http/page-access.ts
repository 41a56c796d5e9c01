import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { bearerTokenCheck, tokenCheck } from './bearer-token.js'

// A browser cannot put a Bearer header on a page load or an EventSource. The page is opened
// once as `<base>/ui?token=…`; the handler answers with an HttpOnly, SameSite=Strict cookie
// scoped to the mount and a redirect that drops the token from the address bar and history.
// The cookie holds a value derived from the token, not the token: it opens the page, nothing
// else (`/status` and `/metrics` still need the Bearer header).

export const SESSION_COOKIE = 'xmpp_federation_status'
/** How long the page stays open without the token again. */
const SESSION_SECONDS = 12 * 60 * 60

/** Who may use the page's routes, and the cookie that the `?token=` exchange sets. */
export interface PageAccess {
  /** True for the Bearer header or the session cookie (always true without a token). */
  allowed(req: IncomingMessage): boolean
  /** The Set-Cookie value when `req` carries the right `?token=`; undefined otherwise. */
  exchange(req: IncomingMessage, url: URL): string | undefined
}

export function pageAccess(token: string | undefined, cookiePath: string): PageAccess {
  if (token === undefined) return { allowed: () => true, exchange: () => undefined }
  const bearer = bearerTokenCheck(token)
  const matches = tokenCheck(token)
  const session = createHmac('sha256', token).update('xmpp-federation status page session').digest()
  const sessionText = session.toString('base64url')
  return {
    allowed: (req) => bearer(req) || sameBytes(cookieValue(req, SESSION_COOKIE), session),
    exchange(req, url) {
      const offered = url.searchParams.get('token')
      if (offered === null || !matches(offered)) return undefined
      const secure = isTls(req) ? '; Secure' : ''
      return `${SESSION_COOKIE}=${sessionText}; Path=${cookiePath}; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure}`
    },
  }
}

function sameBytes(text: string | undefined, expected: Buffer): boolean {
  if (text === undefined) return false
  const given = Buffer.from(text, 'base64url')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

const isTls = (req: IncomingMessage) =>
  (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https'

/**
 * A POST from the page must come from the page: browsers send `Sec-Fetch-Site` and `Origin` on
 * it, and the page adds `X-Status-Page: 1`, a header another site cannot add without a CORS
 * preflight that this handler never approves. A request with the Bearer header carries no
 * ambient credential and needs none of this.
 */
export function sameOriginPost(req: IncomingMessage): boolean {
  if (req.headers['x-status-page'] !== '1') return false
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') return false
  const origin = req.headers.origin
  if (origin === undefined) return true
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}
