import { isAbsolute, resolve } from 'node:path'
import type { FederationConfig } from './schema.js'

// The settings that name files (all under `tls`), so they can be resolved and checked together.

export type FileSetting = { path: (string | number)[]; file: string }

export function fileSettings(config: FederationConfig): FileSetting[] {
  const { tls } = config
  const settings: FileSetting[] = []
  if (tls.cert !== undefined) settings.push({ path: ['tls', 'cert'], file: tls.cert })
  if (tls.key !== undefined) settings.push({ path: ['tls', 'key'], file: tls.key })
  for (const [index, file] of tls.ca.entries()) settings.push({ path: ['tls', 'ca', index], file })
  for (const [domain, files] of Object.entries(tls.certificates ?? {})) {
    settings.push({ path: ['tls', 'certificates', domain, 'cert'], file: files.cert })
    settings.push({ path: ['tls', 'certificates', domain, 'key'], file: files.key })
  }
  return settings
}

/** A copy of `config` whose relative file paths are resolved against `baseDir`. */
export function resolveFilePaths(config: FederationConfig, baseDir: string): FederationConfig {
  const at = (file: string) => (isAbsolute(file) ? file : resolve(baseDir, file))
  const { tls } = config
  const certificates =
    tls.certificates &&
    Object.fromEntries(
      Object.entries(tls.certificates).map(([domain, files]) => [
        domain,
        { cert: at(files.cert), key: at(files.key) },
      ]),
    )
  return {
    ...config,
    tls: {
      ...tls,
      ...(tls.cert !== undefined ? { cert: at(tls.cert) } : {}),
      ...(tls.key !== undefined ? { key: at(tls.key) } : {}),
      ca: tls.ca.map(at),
      ...(certificates ? { certificates } : {}),
    },
  }
}
