import { readFileSync } from 'node:fs'
import type { FederationConfig } from '@xmpp-federation/config'
import { createDomainPolicy, DEFAULT_SECURITY, type SecuritySettings } from '@xmpp-federation/policy'
import {
  type Credentials,
  createTlsIdentity,
  createTrustAnchors,
  type TlsIdentity,
} from '@xmpp-federation/stream'
import { ANONYMOUS_LOCAL_DOMAIN, type DoctorOptions } from './options.js'

/** What the doctor knows about our own side: who we are, what we present, whom we trust. */
export interface LocalSetup {
  /** Our domain in stream headers; ANONYMOUS_LOCAL_DOMAIN when none is known. */
  localDomain: string
  /** Whether localDomain is a real domain of ours (authentication is attempted only then). */
  knownLocalDomain: boolean
  /** Trust anchors and, when configured, the certificate we present. */
  identity: TlsIdentity
  /** A certificate is configured for localDomain: the remote may offer SASL EXTERNAL. */
  presentsCertificate: boolean
  /** The security our configuration requires of the remote domain. */
  security: SecuritySettings
  /** Whether our policy lets us federate with the domain, and why not. */
  policy: { allowed: boolean; reason: string } | undefined
}

export function localSetup(options: DoctorOptions, remoteDomain: string): LocalSetup {
  const { config } = options
  const localDomain = options.localDomain ?? config?.domains[0]
  const credentials = config ? readCredentials(config) : {}
  const anchors = createTrustAnchors({
    ca: [...(config ? config.tls.ca.map((file) => readSetting('tls.ca', file)) : []), ...(options.ca ?? [])],
    system: config?.tls.systemCa ?? true,
  })
  const presentsCertificate =
    localDomain !== undefined && (credentials[localDomain] ?? credentials['*']) !== undefined
  return {
    localDomain: localDomain ?? ANONYMOUS_LOCAL_DOMAIN,
    knownLocalDomain: localDomain !== undefined,
    identity: createTlsIdentity({ anchors, credentials }),
    presentsCertificate,
    ...policyFor(config, remoteDomain),
  }
}

// The policy package decides how per-domain settings cascade; the doctor only asks it.
function policyFor(config: FederationConfig | undefined, remoteDomain: string) {
  if (!config) return { security: { ...DEFAULT_SECURITY }, policy: undefined }
  const policy = createDomainPolicy({
    ...config,
    // Address mapping needs the host's directory and plays no part in reaching a domain.
    emailForFederation: { ...config.emailForFederation, enabled: false },
  })
  const decision = policy.checkDomain(remoteDomain)
  return {
    security: policy.security(remoteDomain),
    policy: { allowed: decision.allowed, reason: decision.reason },
  }
}

function readCredentials(config: FederationConfig): Record<string, Credentials> {
  const { tls } = config
  const credentials: Record<string, Credentials> = {}
  if (tls.cert && tls.key) {
    credentials['*'] = { cert: readSetting('tls.cert', tls.cert), key: readSetting('tls.key', tls.key) }
  }
  for (const [domain, files] of Object.entries(tls.certificates ?? {})) {
    const path = `tls.certificates.${domain}`
    credentials[domain] = {
      cert: readSetting(`${path}.cert`, files.cert),
      key: readSetting(`${path}.key`, files.key),
    }
  }
  return credentials
}

function readSetting(path: string, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`${path}: cannot read ${file}: ${(error as Error).message}`, { cause: error })
  }
}
