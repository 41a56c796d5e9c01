import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FederationConfig } from '@xmpp-federation/config'
import type { SettingChange } from './report.js'

/**
 * Certificates are usually renewed in place (same path, new content), which no setting
 * shows: a reload compares what the files hold, by digest, and reports each that changed
 * as `<setting>#content`.
 */
export function tlsFileDigests(config: FederationConfig): Map<string, string> {
  const digests = new Map<string, string>()
  const add = (path: string, file: string | undefined) => {
    if (file === undefined) return
    try {
      digests.set(
        `${path}#content`,
        `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12)}…`,
      )
    } catch {
      // Unreadable: validation names the file; here it is just not compared.
    }
  }
  add('tls.cert', config.tls.cert)
  add('tls.key', config.tls.key)
  for (const [index, file] of config.tls.ca.entries()) add(`tls.ca[${index}]`, file)
  for (const [domain, files] of Object.entries(config.tls.certificates ?? {})) {
    add(`tls.certificates.${domain}.cert`, files.cert)
    add(`tls.certificates.${domain}.key`, files.key)
  }
  return digests
}

/** The files whose content differs; a key's digest is shown masked like a secret. */
export function fileChanges(before: Map<string, string>, after: Map<string, string>): SettingChange[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort()
  return paths
    .filter((path) => before.get(path) !== after.get(path) && before.has(path) && after.has(path))
    .map((path) => ({ path, before: before.get(path), after: after.get(path) }))
}
