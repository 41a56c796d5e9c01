import type { SecuritySettings } from '@xmpp-federation/policy'
import { NegotiationError, NS } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import { pass, problem, type StepResult, skip } from './step-result.js'
import type { StreamProbe } from './stream-probe.js'

interface FeaturesContext {
  domain: string
  target: string
  localDomain: string
  presentsCertificate: boolean
  security: SecuritySettings
}

/** What the remote offers for authentication on the (secured) stream: SASL EXTERNAL and dialback. */
export function featuresStep(probe: StreamProbe, context: FeaturesContext): StepResult[] {
  const features = probe.features.at(-1)
  // Features of a stream that failed offer nothing, except those of a stream we left because the
  // peer offered no TLS: they still tell what it would do in clear text.
  const withoutTls = probe.error instanceof NegotiationError && probe.error.code === 'TLS_REQUIRED'
  if (!features || (probe.error && !withoutTls)) return []
  const external = offersExternal(features)
  // A 1.0 stream announces dialback as a feature (XEP-0220 §2.1); only a pre-1.0 peer relies on the header.
  const dialback =
    features.getChild('dialback', NS.dialbackFeature) !== undefined ||
    (probe.header?.version === undefined && probe.header?.dialback === true)
  const usableExternal = external && context.presentsCertificate && context.security.saslExternal.outbound
  const usableDialback = dialback && context.security.dialback
  return [
    externalResult(probe, external, usableDialback, context),
    dialbackResult(dialback, usableExternal, context),
  ]
}

function offersExternal(features: Element): boolean {
  const mechanisms = features.getChild('mechanisms', NS.sasl)?.getChildren('mechanism') ?? []
  return mechanisms.some((mechanism) => mechanism.getText().trim() === 'EXTERNAL')
}

function externalResult(
  probe: StreamProbe,
  offered: boolean,
  usableDialback: boolean,
  context: FeaturesContext,
): StepResult {
  const { target, localDomain, security, domain } = context
  const step = 'features'
  if (offered) {
    const unused = security.saslExternal.outbound
      ? ''
      : ' (we do not use it: security.saslExternal.outbound is off)'
    const message = `offers SASL EXTERNAL: it accepts our certificate for ${localDomain}${unused}`
    return pass({ step, code: 'SASL_EXTERNAL_OFFERED', message, target })
  }
  const code = 'SASL_EXTERNAL_NOT_OFFERED'
  if (!probe.tls)
    return skip({ step, code, message: 'no SASL EXTERNAL: the stream is not encrypted', target })
  if (!context.presentsCertificate) {
    const message = `no SASL EXTERNAL offered: the doctor presented no certificate for ${localDomain} (give --config with tls.cert to test it)`
    return skip({ step, code, message, target })
  }
  if (!security.saslExternal.outbound) {
    const message = `no SASL EXTERNAL offered; we do not use it with ${domain} (saslExternal.outbound is off)`
    return skip({ step, code, message, target })
  }
  return problem(!usableDialback, {
    step,
    code,
    message: `does not offer SASL EXTERNAL for our certificate of ${localDomain}${usableDialback ? '; dialback remains' : ', and dialback is not available either'}`,
    hint: `Remote side: it does not accept our certificate: it must trust the CA that issued it (Prosody: ssl.cafile; ejabberd: ca_file) and allow certificate authentication (Prosody: s2s_secure_auth = true). Our side: run check-config to confirm that tls.cert names ${localDomain} and has not expired.`,
    side: 'either',
    target,
  })
}

function dialbackResult(offered: boolean, usableExternal: boolean, context: FeaturesContext): StepResult {
  const { target, domain, security } = context
  const step = 'features'
  if (offered) {
    const unused = security.dialback ? '' : ` (we do not use it with ${domain}: dialback is off)`
    return pass({
      step,
      code: 'DIALBACK_OFFERED',
      message: `offers Server Dialback (XEP-0220)${unused}`,
      target,
    })
  }
  const code = 'DIALBACK_DISABLED_REMOTE'
  if (!security.dialback) {
    return skip({
      step,
      code,
      message: `no Server Dialback offered; we do not use it with ${domain}`,
      target,
    })
  }
  return problem(!usableExternal, {
    step,
    code,
    message: `does not offer Server Dialback${usableExternal ? '; SASL EXTERNAL remains' : ', and SASL EXTERNAL is not usable either'}`,
    hint: `Remote side: enable Server Dialback (Prosody: mod_dialback, do not list it in modules_disabled) if partners without a certificate it trusts must federate. Our side: SASL EXTERNAL works without it once the remote trusts our certificate.`,
    side: 'remote',
    target,
  })
}
