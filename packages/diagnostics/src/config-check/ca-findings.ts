import type { FederationConfig } from '@xmpp-federation/config'
import { daysUntil, describeCertificate, isoDay, validity } from '../certificates/describe.js'
import { readPemCertificates } from '../certificates/read-pem.js'
import type { CertificateCheckOptions } from './certificate-findings.js'
import { type ConfigFinding, finding } from './finding.js'

/** Each tls.ca file must hold certificates, and a CA that has expired trusts nobody any more. */
export async function caFindings(config: FederationConfig, options: CertificateCheckOptions) {
  const findings: ConfigFinding[] = []
  for (const [index, file] of config.tls.ca.entries()) {
    const path = `tls.ca[${index}]`
    try {
      for (const cert of await readPemCertificates(file)) findings.push(...caExpiry(path, cert, options))
    } catch (error) {
      const fix = 'point it at a PEM file of CA certificates (-----BEGIN CERTIFICATE-----)'
      findings.push(finding('error', 'CA_UNREADABLE', path, (error as Error).message, fix))
    }
  }
  return findings
}

function caExpiry(path: string, cert: Parameters<typeof validity>[0], options: CertificateCheckOptions) {
  const { notAfter } = validity(cert)
  const days = daysUntil(notAfter, options.now)
  const what = `the CA "${describeCertificate(cert)}"`
  const fix = 'replace it with the CA certificate its owner currently publishes'
  if (!(options.now <= notAfter)) {
    const message = `${what} expired on ${isoDay(notAfter)}: no peer certificate can chain to it`
    return [finding('warning', 'CA_EXPIRED', path, message, fix)]
  }
  if (days < options.expiryDays) {
    const message = `${what} expires on ${isoDay(notAfter)}, in ${days} day(s)`
    return [finding('warning', 'CA_EXPIRING', path, message, fix)]
  }
  return []
}
