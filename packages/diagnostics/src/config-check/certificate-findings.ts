import { createPrivateKey, type X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { FederationConfig } from '@xmpp-federation/config'
import { certificateNamesDomain } from '@xmpp-federation/stream'
import {
  daysUntil,
  describeCertificate,
  extendedKeyUsages,
  isoDay,
  presentedNames,
  validity,
} from '../certificates/describe.js'
import { readPemCertificates } from '../certificates/read-pem.js'
import { type ConfigFinding, finding } from './finding.js'
import { servedDomains } from './served-domains.js'

export interface CertificateCheckOptions {
  /** Certificates expiring within this many days are a warning. */
  expiryDays: number
  now: Date
}

/** One certificate setting and the domains it is presented for. */
interface CertificateSetting {
  certPath: string
  certFile: string
  keyPath: string
  keyFile: string | undefined
  domains: string[]
}

/** Reads every configured certificate: does it name its domains, is it valid, does the key fit? */
export async function certificateFindings(
  config: FederationConfig,
  options: CertificateCheckOptions,
): Promise<ConfigFinding[]> {
  const settings = certificateSettings(config)
  const findings = uncoveredDomains(config, settings)
  for (const setting of settings) findings.push(...(await checkSetting(setting, config, options)))
  return findings
}

function certificateSettings(config: FederationConfig): CertificateSetting[] {
  const { tls } = config
  const own = tls.certificates ?? {}
  const settings: CertificateSetting[] = []
  if (tls.cert !== undefined) {
    settings.push({
      certPath: 'tls.cert',
      certFile: tls.cert,
      keyPath: 'tls.key',
      keyFile: tls.key,
      domains: servedDomains(config).filter((domain) => own[domain] === undefined),
    })
  }
  for (const [domain, files] of Object.entries(own)) {
    const path = `tls.certificates.${domain}`
    settings.push({
      certPath: `${path}.cert`,
      certFile: files.cert,
      keyPath: `${path}.key`,
      keyFile: files.key,
      domains: [domain],
    })
  }
  return settings
}

/** Served domains no certificate is configured for, when some certificate is (none at all is reported elsewhere). */
function uncoveredDomains(config: FederationConfig, settings: CertificateSetting[]): ConfigFinding[] {
  if (settings.length === 0) return []
  const covered = new Set(settings.flatMap((setting) => setting.domains))
  const required = config.security.tls === 'required'
  return servedDomains(config)
    .filter((domain) => !covered.has(domain))
    .map((domain) =>
      finding(
        required ? 'error' : 'warning',
        'CERT_DOMAIN_NOT_COVERED',
        'tls.certificates',
        `no certificate is configured for ${domain}: peers cannot authenticate it with SASL EXTERNAL${required ? ", and security.tls is 'required'" : ''}`,
        `add tls.certificates.${domain} (cert and key), or set tls.cert to a certificate that names ${domain}`,
      ),
    )
}

async function checkSetting(
  setting: CertificateSetting,
  config: FederationConfig,
  options: CertificateCheckOptions,
): Promise<ConfigFinding[]> {
  let chain: X509Certificate[]
  try {
    chain = await readPemCertificates(setting.certFile)
  } catch (error) {
    const fix = 'point it at a PEM file that starts with the certificate, followed by its intermediates'
    return [finding('error', 'CERT_UNREADABLE', setting.certPath, (error as Error).message, fix)]
  }
  const leaf = chain[0]!
  return [
    ...coverage(setting, leaf),
    ...chain.flatMap((cert, index) => expiry(setting.certPath, cert, index === 0, options)),
    ...(await keyMatch(setting, leaf)),
    ...purpose(setting.certPath, leaf, config),
  ]
}

function coverage(setting: CertificateSetting, leaf: X509Certificate): ConfigFinding[] {
  return setting.domains
    .filter((domain) => !certificateNamesDomain(leaf, domain))
    .map((domain) =>
      finding(
        'error',
        'CERT_DOMAIN_NOT_COVERED',
        setting.certPath,
        `the certificate "${describeCertificate(leaf)}" does not name ${domain} (it presents ${presentedNames(leaf)}); peers will refuse it for ${domain}`,
        `use a certificate whose subjectAltName holds DNS:${domain} (the subject CN does not count), or give ${domain} its own under tls.certificates.${domain}`,
      ),
    )
}

function expiry(path: string, cert: X509Certificate, isLeaf: boolean, options: CertificateCheckOptions) {
  const what = isLeaf
    ? `the certificate "${describeCertificate(cert)}"`
    : `the intermediate "${describeCertificate(cert)}" in this file`
  const renew = isLeaf
    ? 'renew the certificate and reload the federation'
    : 'replace the intermediate with the current one from the CA'
  const { notBefore, notAfter } = validity(cert)
  const days = daysUntil(notAfter, options.now)
  if (!(options.now >= notBefore)) {
    const message = `${what} is not valid before ${isoDay(notBefore)}`
    return [finding('error', 'CERT_NOT_YET_VALID', path, message, `check this host's clock, or ${renew}`)]
  }
  if (!(options.now <= notAfter)) {
    const message = `${what} expired on ${isoDay(notAfter)}; every peer refuses it`
    return [finding('error', 'CERT_EXPIRED', path, message, renew)]
  }
  if (days < options.expiryDays) {
    const message = `${what} expires on ${isoDay(notAfter)}, in ${days} day(s)`
    return [finding('warning', 'CERT_EXPIRING', path, message, renew)]
  }
  return []
}

async function keyMatch(setting: CertificateSetting, leaf: X509Certificate): Promise<ConfigFinding[]> {
  if (setting.keyFile === undefined) return []
  try {
    const key = createPrivateKey(await readFile(setting.keyFile, 'utf8'))
    if (leaf.checkPrivateKey(key)) return []
    return [
      finding(
        'error',
        'CERT_KEY_MISMATCH',
        setting.keyPath,
        `${setting.keyFile} is not the private key of the certificate in ${setting.certPath}`,
        'give the key the certificate was issued for; a renewed certificate usually comes with a new key',
      ),
    ]
  } catch (error) {
    const message = `${setting.keyFile} is not a readable private key: ${(error as Error).message}`
    return [
      finding('error', 'CERT_UNREADABLE', setting.keyPath, message, 'use an unencrypted PEM private key'),
    ]
  }
}

function purpose(path: string, leaf: X509Certificate, config: FederationConfig): ConfigFinding[] {
  const usages = extendedKeyUsages(leaf)
  if (usages === undefined || usages.includes('anyExtendedKeyUsage')) return []
  if (!usages.includes('serverAuth') && !usages.includes('clientAuth')) {
    return [
      finding(
        'error',
        'CERT_PURPOSE',
        path,
        `the certificate is not meant for TLS: extended key usage ${usages.join(', ')}`,
        'use a certificate issued for TLS servers and clients (serverAuth and clientAuth)',
      ),
    ]
  }
  if (usages.includes('clientAuth') || !config.security.saslExternal.outbound) return []
  return [
    finding(
      'warning',
      'CERT_NO_CLIENT_AUTH',
      path,
      'the certificate allows serverAuth only: with SASL EXTERNAL outbound it is our TLS client certificate, and peers that check it with OpenSSL (Prosody, ejabberd) refuse it, so those streams fall back to dialback',
      'ask the CA for a certificate with both serverAuth and clientAuth, or set security.saslExternal.outbound: false to say that dialback is intended',
    ),
  ]
}
