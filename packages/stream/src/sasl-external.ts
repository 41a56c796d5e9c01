import { Element } from 'ltx'
import type { AuthMechanism, AuthOutcome, AuthStream, InboundAuthStream } from './auth.js'
import { normalizeDomain } from './domain.js'
import type { SaslFailureCondition } from './errors.js'
import { NS } from './namespaces.js'

/**
 * SASL EXTERNAL for s2s (XEP-0178): the TLS client certificate authenticates
 * the originating domain. Offered only to a peer whose certificate chains to
 * a trust anchor and names the domain in its stream header (RFC 9525).
 */
export function saslExternal(): AuthMechanism {
  return {
    name: 'EXTERNAL',

    advertise(session, features) {
      const remote = session.remoteDomain
      if (!remote || !session.tls?.peerCertificate?.validFor(remote)) return
      if (session.security(remote).saslExternal?.inbound === false) return
      if (session.isAuthenticated(session.localDomain, remote)) return
      features.c('mechanisms', { xmlns: NS.sasl }).c('mechanism').t('EXTERNAL')
    },

    async authenticate(session, features): Promise<AuthOutcome> {
      if (!session.tls) return { status: 'unavailable', reason: 'no TLS' }
      if (session.security(session.remoteDomain).saslExternal?.outbound === false) {
        return { status: 'unavailable', reason: 'disabled for this domain' }
      }
      if (!offersExternal(features)) return { status: 'unavailable', reason: 'not offered by the peer' }
      const answer = session.nextElement(
        (el) => el.attrs.xmlns === NS.sasl && (el.name === 'success' || el.name === 'failure'),
        session.negotiationMs,
      )
      // XEP-0178 §2: the authorization identity is our sending domain.
      const auth = new Element('auth', { xmlns: NS.sasl, mechanism: 'EXTERNAL' })
      auth.t(Buffer.from(session.localDomain).toString('base64'))
      session.send(auth)
      const reply = await answer
      if (reply.name === 'failure') {
        const condition = reply.getChildElements()[0]?.name ?? 'not-authorized'
        return { status: 'failed', reason: `peer answered <${condition}/>` }
      }
      await session.restartStream()
      return { status: 'authenticated' }
    },

    handle(session, el) {
      if (el.attrs.xmlns !== NS.sasl || session.direction !== 'inbound') return false
      if (el.name === 'auth') onAuth(session, el)
      else sendFailure(session, el.name === 'abort' ? 'aborted' : 'malformed-request')
      return true
    },
  }
}

function onAuth(session: InboundAuthStream, auth: Element): void {
  const authzid = readAuthzid(auth.getText(), session.remoteDomain)
  const refusal = refuseAuth(session, auth, authzid)
  if (refusal) {
    sendFailure(session, refusal)
    return
  }
  session.send(new Element('success', { xmlns: NS.sasl }))
  session.restartStream()
  session.authenticate(session.localDomain, authzid as string, 'EXTERNAL')
}

/** Why an `<auth/>` cannot succeed (RFC 6120 §6.5), or undefined when it can. */
function refuseAuth(
  session: InboundAuthStream,
  auth: Element,
  authzid: string | undefined | null,
): SaslFailureCondition | undefined {
  if (auth.attrs.mechanism !== 'EXTERNAL') return 'invalid-mechanism'
  if (authzid === null) return 'incorrect-encoding'
  const remote = session.remoteDomain
  // XEP-0178 §2.2: the identity asserted must be the one in the stream header.
  if (!authzid || (remote && authzid !== remote)) return 'invalid-authzid'
  if (!session.tls?.peerCertificate?.validFor(authzid)) return 'not-authorized'
  if (session.security(authzid).saslExternal?.inbound === false) return 'not-authorized'
  if (session.isAuthenticated(session.localDomain, authzid)) return 'not-authorized'
  return undefined
}

/** The authorization identity: '=' or empty means "the stream's from"; null when not valid base64. */
function readAuthzid(text: string, streamFrom: string | undefined): string | undefined | null {
  const trimmed = text.trim()
  if (trimmed === '' || trimmed === '=') return streamFrom
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return null
  return normalizeDomain(Buffer.from(trimmed, 'base64').toString('utf8')) ?? null
}

function offersExternal(features: Element): boolean {
  const mechanisms = features.getChild('mechanisms', NS.sasl)
  return mechanisms?.getChildren('mechanism').some((m) => m.getText().trim() === 'EXTERNAL') ?? false
}

function sendFailure(session: AuthStream, condition: SaslFailureCondition): void {
  session.send(new Element('failure', { xmlns: NS.sasl }).c(condition).up())
}
