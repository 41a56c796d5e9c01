import type { ConfigIssueCode } from '@xmpp-federation/config'

/**
 * Stable codes of the checks diagnostics adds to the config package's; add codes, never
 * rename or reuse one. A problem the config package reports keeps its own ConfigIssueCode.
 */
export const CONFIG_FINDING_CODES = [
  'TLS_REQUIRED_WITHOUT_CERTIFICATE',
  'SASL_EXTERNAL_WITHOUT_CERTIFICATE',
  'DIALBACK_SECRET_MISSING',
  'ROUTE_DENIED_BY_POLICY',
  'CERT_UNREADABLE',
  'CERT_DOMAIN_NOT_COVERED',
  'CERT_EXPIRED',
  'CERT_EXPIRING',
  'CERT_NOT_YET_VALID',
  'CERT_KEY_MISMATCH',
  'CERT_PURPOSE',
  'CERT_NO_CLIENT_AUTH',
  'CA_UNREADABLE',
  'CA_EXPIRED',
  'CA_EXPIRING',
] as const

/** A code of diagnostics' own checks, or the code of the config issue a finding reports. */
export type ConfigFindingCode = (typeof CONFIG_FINDING_CODES)[number] | ConfigIssueCode

/** An error stops the federation from starting or working; a warning does not. */
export type Severity = 'error' | 'warning'

/** One problem in a configuration: where it is, what is wrong, and what to change. */
export interface ConfigFinding {
  severity: Severity
  code: ConfigFindingCode
  /** The setting, e.g. `tls.cert` or `routes.partner.example`; '' for the file as a whole. */
  path: string
  message: string
  /** What to change; null when there is no single obvious remedy. */
  fix: string | null
  /** Position in the file (1-based) when known. */
  line: number | null
  column: number | null
}

export function finding(
  severity: Severity,
  code: ConfigFindingCode,
  path: string,
  message: string,
  fix: string | null,
): ConfigFinding {
  return { severity, code, path, message, fix, line: null, column: null }
}
