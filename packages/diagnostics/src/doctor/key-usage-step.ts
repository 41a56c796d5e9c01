import type { X509Certificate } from 'node:crypto'
import { extendedKeyUsages } from '../certificates/describe.js'
import { fail, pass, type StepResult } from './step-result.js'

// An s2s peer authenticates as a TLS server whichever side opened the connection, and as a
// TLS client when it connects: either purpose (or anyExtendedKeyUsage) is accepted, as the stream does.
const S2S_PURPOSES = new Set(['serverAuth', 'clientAuth', 'anyExtendedKeyUsage'])

export function keyUsageStep(leaf: X509Certificate, context: { domain: string; target: string }): StepResult {
  const { target, domain } = context
  const usages = extendedKeyUsages(leaf)
  if (usages === undefined) {
    const message = 'no extended key usage restriction'
    return pass({ step: 'key-usage', code: 'TLS_CERT_PURPOSE_OK', message, target })
  }
  if (usages.some((usage) => S2S_PURPOSES.has(usage))) {
    const message = `extended key usage ${usages.join(', ')}`
    return pass({ step: 'key-usage', code: 'TLS_CERT_PURPOSE_OK', message, target })
  }
  return fail({
    step: 'key-usage',
    code: 'TLS_CERT_PURPOSE',
    message: `not meant for TLS: extended key usage ${usages.join(', ')} has neither serverAuth nor clientAuth`,
    hint: `Remote side: use a certificate for ${domain} issued for TLS servers (serverAuth, ideally with clientAuth too).`,
    side: 'remote',
    target,
  })
}
