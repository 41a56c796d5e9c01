import type { X509Certificate } from 'node:crypto'
import { certificateIdentities } from '@xmpp-federation/stream'

const DAY_MS = 86_400_000

/** `CN=a.test, O=Example`: node prints one attribute per line. */
export function oneLineName(name: string | undefined): string {
  return (name ?? '').split('\n').filter(Boolean).join(', ')
}

/** The subject, or the subjectAltName when the subject is empty. */
export function describeCertificate(cert: X509Certificate): string {
  return oneLineName(cert.subject) || cert.subjectAltName || `serial ${cert.serialNumber}`
}

/** The names a certificate presents for XMPP, as `DNS:a.test, SRV:_xmpp-server.a.test`; never the CN. */
export function presentedNames(cert: X509Certificate): string {
  const { dnsNames, srvNames, xmppAddrs } = certificateIdentities(cert)
  const names = [
    ...dnsNames.map((name) => `DNS:${name}`),
    ...srvNames.map((name) => `SRV:${name}`),
    ...xmppAddrs.map((addr) => `XmppAddr:${addr}`),
  ]
  return names.length > 0 ? names.join(', ') : 'no subjectAltName names'
}

/** Whole days from `now` until `date`, negative when it has passed. */
export function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / DAY_MS)
}

export function validity(cert: X509Certificate): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) }
}

/** ISO date of a certificate time, e.g. `2026-03-01`. */
export function isoDay(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'an unreadable date' : date.toISOString().slice(0, 10)
}

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
}

/** Extended key usages by name; undefined when the certificate has no EKU extension. */
export function extendedKeyUsages(cert: X509Certificate): string[] | undefined {
  // node types say string[], but the property is undefined when the extension is absent.
  const oids = cert.keyUsage as string[] | undefined
  return oids?.map((oid) => EKU_NAMES[oid] ?? oid)
}
