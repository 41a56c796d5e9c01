import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * Checks `Authorization: Bearer <token>` (RFC 6750). Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function bearerTokenCheck(token: string): (req: IncomingMessage) => boolean {
  const matches = tokenCheck(token)
  return (req) => {
    const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')
    return match !== null && matches(match[1]!)
  }
}

/** Compares a candidate with the token in constant time (see bearerTokenCheck). */
export function tokenCheck(token: string): (candidate: string) => boolean {
  if (token.trim() === '') throw new TypeError('token: an empty bearer token would protect nothing')
  const expected = digest(token)
  return (candidate) => timingSafeEqual(digest(candidate), expected)
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()
