import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * Checks `Authorization: Bearer <token>` (RFC 6750). Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function bearerTokenCheck(token: string): (req: IncomingMessage) => boolean {
  if (token.trim() === '') throw new TypeError('token: an empty bearer token would protect nothing')
  const expected = digest(token)
  return (req) => {
    const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')
    return match !== null && timingSafeEqual(digest(match[1]!), expected)
  }
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()
