// Every code the doctor can report. They are part of the public contract (scripts and
// monitoring branch on them): add codes, never rename or reuse one.
/** Every code a doctor step can report, grouped by step; stable for scripts and alerts. */
export const DOCTOR_CODES = [
  // our own policy
  'POLICY_ALLOWED',
  'POLICY_DENIED',
  // DNS
  'DNS_STATIC_ROUTE',
  'DNS_SRV_OK',
  'DNS_SRV_ABSENT',
  'DNS_SRV_NONE',
  'DNS_SRV_NXDOMAIN',
  'DNS_SRV_UNAVAILABLE',
  'DNS_ADDRESS_OK',
  'DNS_NO_ADDRESS',
  'DNS_TIMEOUT',
  'DNS_FAILED',
  // TCP
  'TCP_OK',
  'TCP_REFUSED',
  'TCP_TIMEOUT',
  'TCP_UNREACHABLE',
  // STARTTLS and direct TLS
  'STARTTLS_OK',
  'STARTTLS_NOT_OFFERED',
  'TLS_REQUIRED_BY_REMOTE',
  'DIRECT_TLS_OK',
  'TLS_HANDSHAKE_FAILED',
  'STREAM_HOST_UNKNOWN',
  'REMOTE_REQUIRES_CERTIFICATE',
  'STREAM_ERROR',
  // the remote certificate
  'TLS_CHAIN_OK',
  'TLS_UNTRUSTED',
  'TLS_CHAIN_INVALID',
  'TLS_NO_CERTIFICATE',
  'TLS_CERT_NAME_OK',
  'TLS_CERT_NAME_MISMATCH',
  'TLS_CERT_VALID',
  'TLS_CERT_EXPIRING',
  'TLS_CERT_EXPIRED',
  'TLS_CERT_NOT_YET_VALID',
  'TLS_CERT_PURPOSE_OK',
  'TLS_CERT_PURPOSE',
  // features
  'SASL_EXTERNAL_OFFERED',
  'SASL_EXTERNAL_NOT_OFFERED',
  'DIALBACK_OFFERED',
  'DIALBACK_DISABLED_REMOTE',
  // authentication
  'AUTH_OK',
  'AUTH_FAILED',
  'AUTH_SKIPPED',
] as const

/** One of DOCTOR_CODES. */
export type DoctorCode = (typeof DOCTOR_CODES)[number]
