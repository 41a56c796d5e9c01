import type { DomainOverride, SecuritySettings } from './types.js'
import { checkBoolean, checkEnum, type Report } from './validate-fields.js'

/** Security settings: valid values, and combinations under which no peer could authenticate. */

export const SECURITY_FIELDS = ['tls', 'requireValidCertificate', 'dialback', 'saslExternal'] as const

export type SecurityFields = Pick<
  DomainOverride,
  'tls' | 'requireValidCertificate' | 'dialback' | 'saslExternal'
>

export function checkSecurity(path: string, security: SecurityFields, report: Report): void {
  if (security.tls !== undefined) {
    checkEnum(`${path}.tls`, security.tls, ['none', 'opportunistic', 'required'], report)
  }
  if (security.requireValidCertificate !== undefined) {
    checkBoolean(`${path}.requireValidCertificate`, security.requireValidCertificate, report)
  }
  if (security.dialback !== undefined) checkBoolean(`${path}.dialback`, security.dialback, report)
  for (const direction of ['inbound', 'outbound'] as const) {
    const value = security.saslExternal?.[direction]
    if (value !== undefined) checkBoolean(`${path}.saslExternal.${direction}`, value, report)
  }
}

/** Contradictions in the settings a domain (or all domains) will actually get. */
export function checkSecurityCoherence(
  path: string,
  what: string,
  security: SecuritySettings,
  report: Report,
): void {
  if (security.tls === 'none' && security.requireValidCertificate) {
    report({
      path,
      code: 'CERTIFICATE_WITHOUT_TLS',
      severity: 'error',
      message: `${what}: a valid certificate is required but TLS is off, so no stream can ever be authenticated`,
      fix: `set tls to 'opportunistic' or 'required', or requireValidCertificate to false`,
    })
  }
  if (security.tls === 'none' && (security.saslExternal.inbound || security.saslExternal.outbound)) {
    report({
      path,
      code: 'SASL_EXTERNAL_WITHOUT_TLS',
      severity: 'warning',
      message: `${what}: SASL EXTERNAL needs a TLS certificate (XEP-0178) but TLS is off, so it is never used`,
      fix: `turn TLS on, or set saslExternal.inbound and saslExternal.outbound to false`,
    })
  }
  for (const direction of ['inbound', 'outbound'] as const) {
    const external = security.tls !== 'none' && security.saslExternal[direction]
    if (!external && !security.dialback) {
      report({
        path,
        code: 'NO_AUTH_METHOD',
        severity: 'warning',
        message: `${what}: neither SASL EXTERNAL nor dialback can authenticate ${direction} streams`,
        fix: `enable saslExternal.${direction} (with TLS) or dialback`,
      })
    }
  }
}
