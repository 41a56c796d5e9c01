import type { AuthStream } from '@xmpp-federation/stream'
import type { Element } from 'ltx'

/**
 * Writes a dialback answer unless the stream is already closing: the peer may
 * hang up while we verify, and an answer to nobody is no error.
 */
export function sendIfOpen(session: AuthStream, el: Element): void {
  if (session.phase === 'closing' || session.phase === 'closed') return
  session.send(el)
}
