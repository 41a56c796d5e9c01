import type { FederationConfig } from '@xmpp-federation/config'
import { type ConfigFinding, finding } from './finding.js'
import { servedDomains } from './served-domains.js'

// Settings that read fine one by one but cannot work together. The config package checks the
// ones that concern listeners; these concern outbound streams and clusters.

function hasAnyCertificate(config: FederationConfig): boolean {
  return config.tls.cert !== undefined || Object.keys(config.tls.certificates ?? {}).length > 0
}

/** The stream layer refuses to start with TLS required and no TLS identity at all. */
export function tlsRequiredWithoutCertificate(config: FederationConfig): ConfigFinding[] {
  if (config.security.tls !== 'required' || hasAnyCertificate(config)) return []
  return [
    finding(
      'error',
      'TLS_REQUIRED_WITHOUT_CERTIFICATE',
      'tls',
      `security.tls is 'required' but no certificate is configured: the federation cannot start without a TLS identity, and no peer could authenticate ${servedDomains(config).join(', ')} with SASL EXTERNAL`,
      `set tls.cert and tls.key to a certificate naming ${servedDomains(config).join(', ')}, or set security.tls to 'opportunistic'`,
    ),
  ]
}

export function saslExternalWithoutCertificate(config: FederationConfig): ConfigFinding[] {
  const { security } = config
  const external = security.saslExternal.inbound || security.saslExternal.outbound
  if (security.tls !== 'opportunistic' || !external || hasAnyCertificate(config)) return []
  return [
    finding(
      'warning',
      'SASL_EXTERNAL_WITHOUT_CERTIFICATE',
      'security.saslExternal',
      'SASL EXTERNAL is enabled but no certificate is configured, so it can never be used: streams fall back to dialback, or run unencrypted',
      'set tls.cert and tls.key, or turn security.saslExternal.inbound and .outbound off to say that dialback is intended',
    ),
  ]
}

/** Without a shared secret every process invents one, so keys cannot be verified across nodes or restarts. */
export function dialbackSecretMissing(config: FederationConfig): ConfigFinding[] {
  const overrides = Object.values(config.policy.domains).some((domain) => domain.dialback === true)
  if (config.dialback !== undefined || !(config.security.dialback || overrides)) return []
  return [
    finding(
      'warning',
      'DIALBACK_SECRET_MISSING',
      'dialback.secret',
      'dialback is enabled but dialback.secret is not set: each process makes up a random secret, so a node cannot verify dialback keys that another node, or an earlier run, handed out',
      'set dialback.secret to one random string of at least 16 characters, the same on every node of every cluster (or set security.dialback: false)',
    ),
  ]
}
