import { readFileSync } from 'node:fs'
import type { FederationConfig } from '@xmpp-federation/config'
import {
  type Credentials,
  createTlsIdentity,
  createTrustAnchors,
  type TlsIdentity,
} from '@xmpp-federation/stream'

/**
 * Reads the configured certificates, keys and CAs once, at start: a missing
 * or unreadable file is an error naming the setting, not a failed handshake later.
 */
export function loadTlsIdentity(config: FederationConfig): TlsIdentity | undefined {
  const { tls } = config
  const credentials: Record<string, Credentials> = {}
  if (tls.cert && tls.key) credentials['*'] = readCredentials('tls', tls.cert, tls.key)
  for (const [domain, files] of Object.entries(tls.certificates ?? {})) {
    credentials[domain] = readCredentials(`tls.certificates.${domain}`, files.cert, files.key)
  }
  if (Object.keys(credentials).length === 0) return undefined
  const ca = tls.ca.map((file, i) => readSetting(`tls.ca[${i}]`, file))
  return createTlsIdentity({ anchors: createTrustAnchors({ ca, system: tls.systemCa }), credentials })
}

function readCredentials(path: string, cert: string, key: string): Credentials {
  return { cert: readSetting(`${path}.cert`, cert), key: readSetting(`${path}.key`, key) }
}

function readSetting(path: string, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`${path}: cannot read ${file}: ${(error as Error).message}`, { cause: error })
  }
}
