import { Element } from 'ltx'
import type { AuthMechanism, InboundAuthStream } from '../src/auth.js'
import { normalizeDomain } from '../src/domain.js'
import { NS } from '../src/namespaces.js'

/**
 * A dialback look-alike for fuzzing and recording, never for production: it
 * answers every `<db:result/>` with `type='valid'`, as if the authoritative
 * server had confirmed the key. It lets a fuzzer reach the authenticated state
 * in clear text, where the stream's own from/to checks are what stands between
 * a peer and our users. Prosody's real dialback traffic authenticates with it.
 */
export function trustingDialback(): AuthMechanism {
  return {
    name: 'trusting-dialback',

    advertise(_session, features) {
      features.c('dialback', { xmlns: NS.dialbackFeature }).c('errors')
    },

    async authenticate(session, features) {
      if (session.peerHeader?.version && !features.getChild('dialback', NS.dialbackFeature)) {
        return { status: 'unavailable', reason: 'dialback not offered' }
      }
      const answer = session.nextElement(
        (el) => el.name === 'result' && el.attrs.xmlns === NS.dialback,
        session.negotiationMs,
      )
      const from = session.localDomain
      const to = session.remoteDomain
      session.send(new Element('db:result', { from, to }).t('fuzz-key'))
      const reply = await answer
      if (reply.attrs.type === 'valid') return { status: 'authenticated' }
      return { status: 'failed', reason: `peer answered type=${reply.attrs.type}` }
    },

    handle(session, el) {
      if (el.attrs.xmlns !== NS.dialback || session.direction !== 'inbound') return false
      if (el.name === 'result') answerResult(session, el)
      else if (el.name === 'verify') answerVerify(session, el)
      else return false
      return true
    },
  }
}

function answerResult(session: InboundAuthStream, el: Element): void {
  const from = normalizeDomain(el.attrs.from ?? '')
  const to = normalizeDomain(el.attrs.to ?? '')
  const local = to !== undefined && session.localDomains.has(to)
  const type = from !== undefined && local ? 'valid' : 'invalid'
  session.send(new Element('db:result', { from: el.attrs.to ?? '', to: el.attrs.from ?? '', type }))
  if (type === 'valid') session.authenticate(to!, from!, 'trusting-dialback')
}

function answerVerify(session: InboundAuthStream, el: Element): void {
  const attrs = { from: el.attrs.to ?? '', to: el.attrs.from ?? '', id: el.attrs.id ?? '', type: 'valid' }
  session.send(new Element('db:verify', attrs))
}
