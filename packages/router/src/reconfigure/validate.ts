import { accessSync, constants } from 'node:fs'
import {
  ConfigError,
  type ConfigIssue,
  type FederationConfig,
  safeParseConfig,
} from '@xmpp-federation/config'
import type { ReconfigureIssue } from './reconfigure-error.js'
import { ReconfigureError } from './reconfigure-error.js'

/**
 * Validates a new configuration whole: the schema (every problem, as parseConfig finds
 * them) and, even when the schema already failed, the certificate, key and CA files it
 * names — so one refusal lists a mistyped key and a missing certificate together.
 */
export function validateNewConfig(input: unknown): FederationConfig {
  const parsed = safeParseConfig(input)
  const files = unreadableFiles(parsed.ok ? parsed.config : input)
  if (parsed.ok && files.length === 0) return parsed.config
  const configIssues: ConfigIssue[] = parsed.ok ? [] : parsed.issues
  const issues: ReconfigureIssue[] = [...configIssues, ...files]
  throw new ReconfigureError(issues, { cause: new ConfigError([...configIssues, ...files]) })
}

/** The files under `tls` that cannot be read; read from raw input too, as far as it has the shape. */
function unreadableFiles(config: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  for (const { path, file } of namedFiles(config)) {
    try {
      accessSync(file, constants.R_OK)
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
      issues.push({
        code: missing ? 'MISSING_FILE' : 'BAD_FILE',
        path,
        message: `${file} ${missing ? 'does not exist' : 'cannot be read'}`,
      })
    }
  }
  return issues
}

function namedFiles(config: unknown): { path: string; file: string }[] {
  const tls = record(record(config)?.tls)
  if (!tls) return []
  const files: { path: string; file: string }[] = []
  const add = (path: string, value: unknown) => {
    if (typeof value === 'string') files.push({ path, file: value })
  }
  add('tls.cert', tls.cert)
  add('tls.key', tls.key)
  if (Array.isArray(tls.ca)) for (const [index, file] of tls.ca.entries()) add(`tls.ca[${index}]`, file)
  for (const [domain, entry] of Object.entries(record(tls.certificates) ?? {})) {
    add(`tls.certificates.${domain}.cert`, record(entry)?.cert)
    add(`tls.certificates.${domain}.key`, record(entry)?.key)
  }
  return files
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
