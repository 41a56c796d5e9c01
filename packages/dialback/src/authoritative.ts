import type { InboundAuthStream } from '@xmpp-federation/stream'
import { type DialbackElement, verifyAnswer } from './elements.js'
import { type KeyMaker, keysEqual } from './keys.js'
import { sendIfOpen } from './send.js'

/**
 * Authoritative server, an inbound `<db:verify/>` (XEP-0220 §2.2.2): recompute
 * the key for (receiving, originating, stream id) and say whether it matches.
 *
 * Any node holding the shared secret can answer, even for a stream another
 * node opened, so no table of our stream ids is consulted: the id is part of
 * the HMAC, and a key made for one stream is invalid for every other id.
 */
export function answerVerify(session: InboundAuthStream, request: DialbackElement, keys: KeyMaker): void {
  const receiving = request.from
  const originating = request.to
  const id = request.id ?? ''
  if (!originating || !session.localDomains.has(originating)) {
    // §2.2.2: a dialback error, not a stream error; from/to echo the request swapped.
    const text = `${request.rawTo || '(no to)'} is not served here`
    sendIfOpen(
      session,
      verifyAnswer(request.rawTo, request.rawFrom, id, 'error', { condition: 'item-not-found', text }),
    )
    return
  }
  if (!receiving || !id) {
    const text = 'db:verify needs a from domain and a stream id'
    sendIfOpen(
      session,
      verifyAnswer(originating, request.rawFrom, id, 'error', { condition: 'bad-request', text }),
    )
    return
  }
  const valid = keysEqual(request.key, keys(receiving, originating, id))
  if (!valid) {
    session.logger.warn(
      {
        receiving,
        originating,
        id,
      },
      'asked to verify a dialback key that we did not make',
    )
  }
  sendIfOpen(session, verifyAnswer(originating, receiving, id, valid ? 'valid' : 'invalid'))
}
