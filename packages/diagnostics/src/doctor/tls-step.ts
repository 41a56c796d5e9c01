import { NegotiationError, NS, StreamError, type TlsMode } from '@xmpp-federation/stream'
import { fail, pass, problem, type StepResult, skip } from './step-result.js'
import type { StreamProbe } from './stream-probe.js'

interface TlsStepContext {
  domain: string
  target: string
  /** What our configuration requires of the domain. */
  tlsMode: TlsMode
  localDomain: string
  /** Whether the doctor presented a certificate for localDomain. */
  presentsCertificate: boolean
}

/** STARTTLS (offered? required? handshake?) or the direct TLS handshake, then any stream failure. */
export function tlsStep(probe: StreamProbe, context: TlsStepContext): StepResult[] {
  const results = probe.directTls ? directTls(probe, context) : startTls(probe, context)
  const streamFailure = streamFailureResult(probe, context)
  return streamFailure ? [...results, streamFailure] : results
}

function directTls(probe: StreamProbe, { target }: TlsStepContext): StepResult[] {
  if (probe.handshakeError) return [handshakeFailed('direct-tls', target, tlsReason(probe.handshakeError))]
  const tls = probe.tls
  if (!tls) return []
  const alpn = tls.alpn ? `ALPN ${tls.alpn}` : 'no ALPN'
  const message = `direct TLS handshake done: ${tls.protocol} with ${tls.cipher}, ${alpn}`
  return [pass({ step: 'direct-tls', code: 'DIRECT_TLS_OK', message, target })]
}

function startTls(probe: StreamProbe, context: TlsStepContext): StepResult[] {
  const { target, tlsMode, domain } = context
  const first = probe.features[0]
  if (!first) return [] // the stream failed before features: streamFailureResult explains it
  const offer = first.getChild('starttls', NS.tls)
  if (!offer) {
    const message = `${target} does not offer STARTTLS: the stream would run unencrypted`
    if (tlsMode === 'none') {
      return [
        skip({
          step: 'starttls',
          code: 'STARTTLS_NOT_OFFERED',
          message: `${message} (our security.tls is 'none')`,
          target,
        }),
      ]
    }
    return [
      problem(tlsMode === 'required', {
        step: 'starttls',
        code: 'STARTTLS_NOT_OFFERED',
        message: `${message}${tlsMode === 'required' ? ', and our security.tls is required' : ''}`,
        hint: `Remote side: enable TLS for server-to-server streams (Prosody: load mod_tls and set a certificate; ejabberd: s2s_use_starttls: required). Our side, only if unencrypted federation with ${domain} is acceptable: policy.domains.${domain}.tls: opportunistic.`,
        side: 'remote',
        target,
      }),
    ]
  }
  const required = offer.getChild('required') !== undefined
  if (tlsMode === 'none' && required) {
    return [
      fail({
        step: 'starttls',
        code: 'TLS_REQUIRED_BY_REMOTE',
        message: `${target} requires STARTTLS, and our security.tls for ${domain} is 'none'`,
        hint: `Our side: set security.tls (or policy.domains.${domain}.tls) to 'opportunistic' or 'required', with a certificate in tls.cert.`,
        side: 'local',
        target,
      }),
    ]
  }
  if (probe.tls) {
    const message = `STARTTLS offered (${required ? 'required by the remote' : 'optional'}); ${probe.tls.protocol} with ${probe.tls.cipher}`
    return [pass({ step: 'starttls', code: 'STARTTLS_OK', message, target })]
  }
  if (probe.error instanceof NegotiationError && probe.error.code === 'TLS_FAILED') {
    return [handshakeFailed('starttls', target, tlsReason(probe.error.cause ?? probe.error))]
  }
  return []
}

/** OpenSSL's reason ('wrong version number'), without its error-queue dump. */
function tlsReason(error: unknown): string {
  const { reason, code, message } = error as { reason?: string; code?: string; message?: string }
  if (reason) return code ? `${reason} (${code})` : reason
  return message ?? String(error)
}

function handshakeFailed(step: 'starttls' | 'direct-tls', target: string, reason: string): StepResult {
  return fail({
    step,
    code: 'TLS_HANDSHAKE_FAILED',
    message: `TLS handshake with ${target} failed: ${reason}`,
    hint:
      step === 'direct-tls'
        ? `Remote side: ${target} is published for direct TLS (_xmpps-server SRV) but does not speak TLS from the first byte; fix the SRV record or enable direct TLS on that port (Prosody: s2s_direct_tls_ports). Its server log names the reason.`
        : `Remote side: its TLS setup fails (certificate and key, TLS 1.2 or later, ciphers); its server log names the reason.`,
    side: 'remote',
    target,
  })
}

/** A stream that ended for another reason than TLS: a stream error, a timeout, a closed connection. */
function streamFailureResult(probe: StreamProbe, context: TlsStepContext): StepResult | undefined {
  const { domain, target } = context
  const { error } = probe
  if (!error) return undefined
  // TLS outcomes were reported above; a missing STARTTLS aborts with TLS_REQUIRED.
  if (error instanceof NegotiationError && (error.code === 'TLS_FAILED' || error.code === 'TLS_REQUIRED')) {
    return undefined
  }
  const step = probe.directTls ? 'direct-tls' : 'starttls'
  if (error instanceof StreamError && error.condition === 'host-unknown') {
    return fail({
      step,
      code: 'STREAM_HOST_UNKNOWN',
      message: `${target} does not serve ${domain} (stream error <host-unknown/>)`,
      hint: `Remote side: the server at ${target} must host ${domain} (Prosody: VirtualHost "${domain}"), or its DNS must point at the server that does. Our side: if a static route names ${target}, correct it.`,
      side: 'remote',
      target,
    })
  }
  if (error instanceof StreamError && error.condition === 'not-authorized' && probe.tls) {
    return certificateRequired(step, error, context)
  }
  if (error instanceof StreamError && error.origin === 'local' && error.condition === 'invalid-namespace') {
    return fail({
      step,
      code: 'STREAM_ERROR',
      message: `${target} answered with another kind of XML stream (${error.message}): it is not a server-to-server port`,
      hint: `Remote side: its DNS records must point at the server-to-server port (5269), not a client port (5222). Our side: if a static route names ${target}, correct it.`,
      side: 'either',
      target,
    })
  }
  return fail({
    step,
    code: 'STREAM_ERROR',
    message: `the stream with ${target} ended during negotiation: ${error.message}`,
    hint: 'Remote side: its server log says why it closed the stream. Our side: a timeout can mean a proxy or firewall holds the connection open without passing data.',
    side: 'either',
    target,
  })
}

// Prosody with s2s_secure_auth closes the stream right after TLS when it cannot validate ours.
function certificateRequired(
  step: 'starttls' | 'direct-tls',
  error: StreamError,
  { target, domain, localDomain, presentsCertificate }: TlsStepContext,
): StepResult {
  const message = `${domain} requires a certificate it can validate, and closed the stream (${error.message})`
  if (!presentsCertificate) {
    const missing = `${message}; the doctor presented none (give --config with tls.cert to test ours)`
    return skip({ step, code: 'REMOTE_REQUIRES_CERTIFICATE', message: missing, target })
  }
  return fail({
    step,
    code: 'REMOTE_REQUIRES_CERTIFICATE',
    message: `${message}: it does not accept our certificate for ${localDomain}`,
    hint: `Remote side: trust the CA that issued our certificate (Prosody: ssl.cafile; ejabberd: ca_file). Our side: run check-config to confirm that tls.cert names ${localDomain} and has not expired.`,
    side: 'either',
    target,
  })
}
