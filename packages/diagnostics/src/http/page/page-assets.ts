import type { ServerResponse } from 'node:http'
import { respond } from '../respond.js'
import { PAGE_HTML } from './page-html.js'
import { PAGE_SCRIPT } from './page-script.js'
import { PAGE_CSS } from './page-style.js'

/**
 * Exactly what the page needs: its script and style sheet from the handler, its event stream
 * and doctor POSTs to the handler. No inline code, no frames, no forms, no other origin.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Sent with every page route, the page and its assets alike. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
}

export const servePage = (res: ServerResponse) =>
  respond(res, 200, 'text/html; charset=utf-8', PAGE_HTML, PAGE_HEADERS)
export const servePageScript = (res: ServerResponse) =>
  respond(res, 200, 'text/javascript; charset=utf-8', PAGE_SCRIPT, PAGE_HEADERS)
export const servePageStyle = (res: ServerResponse) =>
  respond(res, 200, 'text/css; charset=utf-8', PAGE_CSS, PAGE_HEADERS)
