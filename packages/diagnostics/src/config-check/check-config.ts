import {
  ConfigError,
  type ConfigIssue,
  configWarnings,
  type FederationConfig,
  fingerprint,
  loadConfigFile,
} from '@xmpp-federation/config'
import { caFindings } from './ca-findings.js'
import { type CertificateCheckOptions, certificateFindings } from './certificate-findings.js'
import type { ConfigFinding, Severity } from './finding.js'
import { routesDeniedByPolicy } from './route-findings.js'
import {
  dialbackSecretMissing,
  saslExternalWithoutCertificate,
  tlsRequiredWithoutCertificate,
} from './security-findings.js'

/** Options of checkConfig and checkConfigFile: the expiry warning window and the clock. */
export interface CheckConfigOptions {
  /** Certificates expiring within this many days are a warning. Default 30. */
  expiryDays?: number
  /** The clock for certificate validity. */
  now?: Date
}

/** What a configuration check reports: the file, whether it passed, and every finding. */
export interface ConfigCheckReport {
  /** The file checked, as given. */
  file: string
  /** True when there is no error (warnings allowed). */
  ok: boolean
  /** sha256 of the canonical federation settings (see @xmpp-federation/config), null when invalid. */
  fingerprint: string | null
  summary: { errors: number; warnings: number }
  findings: ConfigFinding[]
}

/** Certificates expiring within this many days are a warning, unless `expiryDays` says otherwise. */
export const DEFAULT_CONFIG_EXPIRY_DAYS = 30

/**
 * Loads a configuration file with the config package (schema and checks across sections),
 * then runs the checks that need the files it names, or that span settings in ways only
 * a running federation would notice.
 */
export async function checkConfigFile(
  file: string,
  options: CheckConfigOptions = {},
): Promise<ConfigCheckReport> {
  let config: FederationConfig
  try {
    config = await loadConfigFile(file)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return report(
      file,
      null,
      error.issues.map((issue) => fromConfigIssue(issue, 'error')),
    )
  }
  const warnings = configWarnings(config).map((issue) => fromConfigIssue(issue, 'warning'))
  return report(file, fingerprint(config), [...warnings, ...(await checkConfig(config, options))])
}

/** The checks beyond the schema, on a configuration that is already valid. */
export async function checkConfig(
  config: FederationConfig,
  options: CheckConfigOptions = {},
): Promise<ConfigFinding[]> {
  const certificateOptions: CertificateCheckOptions = {
    expiryDays: options.expiryDays ?? DEFAULT_CONFIG_EXPIRY_DAYS,
    now: options.now ?? new Date(),
  }
  return [
    ...tlsRequiredWithoutCertificate(config),
    ...saslExternalWithoutCertificate(config),
    ...dialbackSecretMissing(config),
    ...routesDeniedByPolicy(config),
    ...(await certificateFindings(config, certificateOptions)),
    ...(await caFindings(config, certificateOptions)),
  ]
}

function report(file: string, fingerprint: string | null, found: ConfigFinding[]): ConfigCheckReport {
  // Errors first: they are what stops the federation.
  const findings = [
    ...found.filter((f) => f.severity === 'error'),
    ...found.filter((f) => f.severity !== 'error'),
  ]
  const errors = findings.filter((f) => f.severity === 'error').length
  return {
    file,
    ok: errors === 0,
    fingerprint,
    summary: { errors, warnings: findings.length - errors },
    findings,
  }
}

// A ConfigError's issues are errors and configWarnings' are warnings (the config README's rule);
// either way the finding keeps the issue's code.
function fromConfigIssue(issue: ConfigIssue, severity: Severity): ConfigFinding {
  return {
    severity,
    code: issue.code,
    path: issue.path,
    message: issue.message,
    fix: issue.fix ?? null,
    line: issue.line ?? null,
    column: issue.column ?? null,
  }
}
