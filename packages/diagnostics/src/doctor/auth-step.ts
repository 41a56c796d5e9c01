import type { ConnectionTarget } from '@xmpp-federation/router'
import {
  type AuthMechanism,
  connectStream,
  createStreamContext,
  NegotiationError,
  StreamError,
  saslExternal,
} from '@xmpp-federation/stream'
import { targetAddress } from './dns-step.js'
import type { LocalSetup } from './local-setup.js'
import { fail, pass, type StepResult, skip } from './step-result.js'
import { type Connect, openSocket } from './tcp-step.js'

interface AuthContext {
  domain: string
  setup: LocalSetup
  /** Mechanisms after EXTERNAL, e.g. dialback. */
  mechanisms: AuthMechanism[]
  connect: Connect
  connectMs: number
  negotiationMs: number
}

/**
 * A real authentication, with our certificate and our security settings for the domain,
 * exactly as the router would attempt it: proof that federation works, or the reason it does not.
 */
export async function authStep(
  target: ConnectionTarget | undefined,
  context: AuthContext,
): Promise<StepResult> {
  const { setup, domain } = context
  if (!setup.knownLocalDomain) {
    return skip({
      step: 'auth',
      code: 'AUTH_SKIPPED',
      message: 'not attempted: no local domain (give --config)',
    })
  }
  const mechanisms = authMechanisms(context)
  if (mechanisms.length === 0) {
    const message = `not attempted: no certificate configured for ${setup.localDomain}, and no other mechanism (dialback) given`
    return skip({ step: 'auth', code: 'AUTH_SKIPPED', message })
  }
  if (!target) {
    return skip({
      step: 'auth',
      code: 'AUTH_SKIPPED',
      message: `not attempted: no target of ${domain} answered`,
    })
  }
  const address = targetAddress(target)
  const names = mechanisms.map((mechanism) => mechanism.name).join(', then ')
  const streamContext = createStreamContext({
    localDomains: [setup.localDomain],
    auth: mechanisms,
    tls: setup.identity,
    security: { tls: setup.security.tls, requireValidCertificate: setup.security.requireValidCertificate },
    timeouts: { negotiationMs: context.negotiationMs, keepaliveMs: 0, closeMs: 1000 },
  })
  try {
    const socket = await openSocket(context.connect, target, context.connectMs)
    const stream = await connectStream({
      context: streamContext,
      localDomain: setup.localDomain,
      remoteDomain: domain,
      host: target.host,
      port: target.port,
      directTls: target.directTls,
      socket,
    })
    const mechanism = stream.authenticatedPairs[0]?.mechanism ?? 'unknown'
    await stream.close()
    const message = `${setup.localDomain} → ${domain} authenticated with ${mechanism} (tried ${names})`
    return pass({ step: 'auth', code: 'AUTH_OK', message, target: address })
  } catch (error) {
    return authFailed(error as Error, context, address, names)
  }
}

function authMechanisms({ setup, mechanisms }: AuthContext): AuthMechanism[] {
  const { security, presentsCertificate } = setup
  const external = presentsCertificate && security.saslExternal.outbound && security.tls !== 'none'
  // A mechanism named dialback (XEP-0220) is left out where our policy turns dialback off.
  const allowed = mechanisms.filter((mechanism) => mechanism.name !== 'dialback' || security.dialback)
  return [...(external ? [saslExternal()] : []), ...allowed]
}

// Dialback is verified by a call back to us: the doctor's key is good only if our servers answer.
const DIALBACK_REACH = (local: string) =>
  `For dialback the remote verifies our key by calling back the s2s port of ${local}: our DNS records must lead it to our running federation servers, and they must share the dialback.secret the doctor used.`

function authFailed(error: Error, context: AuthContext, target: string, names: string): StepResult {
  const { domain, setup } = context
  const local = setup.localDomain
  const failure = (hint: string, side: 'local' | 'remote' | 'either') =>
    fail({
      step: 'auth',
      code: 'AUTH_FAILED',
      message: `${local} → ${domain} failed (tried ${names}): ${error.message}`,
      hint,
      side,
      target,
    })
  if (error instanceof StreamError && error.origin === 'remote') {
    if (error.condition === 'not-authorized') {
      return failure(
        `Remote side: it refuses to authenticate ${local}: it must trust the CA of our certificate, or allow dialback (see the findings above). Its server log says why.`,
        'either',
      )
    }
    return failure(
      `Remote side: it closed the stream with <${error.condition}/>; its server log says why.`,
      'remote',
    )
  }
  const timedOut =
    (error instanceof StreamError && error.condition === 'connection-timeout') ||
    (error instanceof NegotiationError && error.code === 'TIMEOUT')
  if (timedOut && context.mechanisms.some((mechanism) => mechanism.name === 'dialback')) {
    return failure(`The remote did not answer in time. ${DIALBACK_REACH(local)}`, 'local')
  }
  if (!(error instanceof NegotiationError)) {
    return failure('See the TCP and TLS findings above for this target.', 'either')
  }
  switch (error.code) {
    case 'CERT_INVALID':
      return failure(
        `Our side refused the remote certificate, as required by requireValidCertificate: see the certificate, identity and expiry findings above.`,
        'either',
      )
    case 'TLS_REQUIRED':
      return failure(
        'TLS is required on one side and not available on the other: see the STARTTLS finding above.',
        'either',
      )
    case 'NO_AUTH_MECHANISM':
      return failure(
        `No mechanism we use is available: SASL EXTERNAL needs the remote to trust our certificate for ${local}; dialback needs both sides to allow it. See the features findings above.`,
        'either',
      )
    case 'AUTH_FAILED':
      return failure(
        `Remote side: its log says why it refused ${local}. For SASL EXTERNAL it must trust our CA and our certificate must name ${local}. ${DIALBACK_REACH(local)}`,
        'either',
      )
    default:
      return failure('See the TCP and TLS findings above for this target.', 'either')
  }
}
