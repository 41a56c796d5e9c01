import type { X509Certificate } from 'node:crypto'
import { certificateNamesDomain } from '@xmpp-federation/stream'
import { presentedNames } from '../certificates/describe.js'
import { fail, pass, type StepResult } from './step-result.js'

/** RFC 9525 / XEP-0178: does the certificate name the domain (DNS-ID, SRV-ID or XmppAddr; never the CN)? */
export function identityStep(leaf: X509Certificate, context: { domain: string; target: string }): StepResult {
  const { domain, target } = context
  const names = presentedNames(leaf)
  if (certificateNamesDomain(leaf, domain)) {
    return pass({ step: 'identity', code: 'TLS_CERT_NAME_OK', message: `names ${domain} (${names})`, target })
  }
  return fail({
    step: 'identity',
    code: 'TLS_CERT_NAME_MISMATCH',
    message: `does not name ${domain}: it presents ${names}`,
    hint: `Remote side: use a certificate whose subjectAltName holds DNS:${domain} (or SRVName _xmpp-server.${domain}); the subject CN does not count. Our side, only if you accept dialback as proof instead: policy.domains.${domain}.requireValidCertificate: false.`,
    side: 'remote',
    target,
  })
}
