import type { X509Certificate } from 'node:crypto'
import { type ChainResult, type TrustAnchors, verifyChain } from '@xmpp-federation/stream'
import { describeCertificate } from '../certificates/describe.js'
import { fail, pass, type StepResult } from './step-result.js'

interface ChainStepContext {
  domain: string
  target: string
  anchors: TrustAnchors
  now: Date
}

// Faults of the leaf itself, which the expiry and key-usage steps report on their own.
const LEAF_FAULTS = new Set(['CERT_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_PURPOSE_INVALID'])

/**
 * Does the presented chain lead to a CA we trust? A fault of the leaf itself (expired, wrong
 * purpose) is its own finding; here it must not hide whether the issuer is trusted.
 */
export function chainStep(presented: X509Certificate[], context: ChainStepContext): StepResult {
  const { target, domain } = context
  const leaf = presented[0]
  if (!leaf) {
    return fail({
      step: 'certificate',
      code: 'TLS_NO_CERTIFICATE',
      message: `${target} presented no certificate`,
      hint: `Remote side: configure a certificate for ${domain} on its s2s TLS.`,
      side: 'remote',
      target,
    })
  }
  let verdict = verifyChain(presented, context.anchors, { now: context.now })
  const leafFault = !verdict.ok && LEAF_FAULTS.has(verdict.code) && verdict.certificate?.raw.equals(leaf.raw)
  if (leafFault) verdict = issuerVerdict(leaf, presented.slice(1), context)
  if (verdict.ok) {
    const anchor = verdict.chain.at(-1)!
    const intermediates = verdict.chain.length - (leafFault ? 1 : 2)
    const via = intermediates > 0 ? ` via ${intermediates} intermediate(s)` : ''
    const message = `issued by a trusted CA: chains to "${describeCertificate(anchor)}"${via}`
    return pass({ step: 'certificate', code: 'TLS_CHAIN_OK', message, target })
  }
  if (verdict.code === 'CERT_UNTRUSTED') {
    return fail({
      step: 'certificate',
      code: 'TLS_UNTRUSTED',
      message: `not trusted: ${verdict.message}`,
      hint: `Our side: if you trust the CA that issued it, add that CA's certificate to tls.ca (tls.systemCa covers public CAs). Remote side: present the full chain (leaf and intermediates) from a CA its partners trust.`,
      side: 'either',
      target,
    })
  }
  return fail({
    step: 'certificate',
    code: 'TLS_CHAIN_INVALID',
    message: `the chain is broken (${verdict.code}): ${verdict.message}`,
    hint: 'Remote side: replace the broken or expired intermediate certificates it presents with the ones its CA publishes.',
    side: 'remote',
    target,
  })
}

/** The chain above the leaf, from the first issuer that signed it; CERT_UNTRUSTED when none did. */
function issuerVerdict(
  leaf: X509Certificate,
  intermediates: X509Certificate[],
  context: ChainStepContext,
): ChainResult {
  const { anchors, now } = context
  const candidates = [...anchors.certificates, ...intermediates]
  const issuers = candidates.filter((cert) => leaf.checkIssued(cert) && leaf.verify(cert.publicKey))
  let last: ChainResult | undefined
  for (const issuer of issuers) {
    if (anchors.certificates.some((anchor) => anchor.raw.equals(issuer.raw)))
      return { ok: true, chain: [issuer] }
    const rest = intermediates.filter((cert) => cert !== issuer)
    last = verifyChain([issuer, ...rest], anchors, { now })
    if (last.ok) return last
  }
  return (
    last ?? {
      ok: false,
      code: 'CERT_UNTRUSTED',
      message: `no trusted issuer found for "${describeCertificate(leaf)}" (issuer ${leaf.issuer.split('\n').join(', ')})`,
    }
  )
}
