import { parseArgs } from 'node:util'
import { ConfigError, loadConfigFile } from '@xmpp-federation/config'
import {
  assessStatus,
  type FederationStatus,
  fetchStatus,
  renderPrometheus,
  type StatusAssessment,
  StatusFetchError,
  statusUrl,
} from '@xmpp-federation/diagnostics'
import { COMMON_OPTIONS, positiveInteger, withUsageErrors } from '../args.js'
import { type CliIo, resolveFile } from '../io.js'
import { clusterSection } from '../render/cluster-section.js'
import { jsonDocument } from '../render/json.js'
import { renderStatusReport } from '../render/status-report.js'
import { EXIT, UsageError } from '../usage.js'
import { InputError } from './input-error.js'

const OPTIONS = {
  url: { type: 'string' },
  config: { type: 'string' },
  metrics: { type: 'boolean' },
  'expiry-days': { type: 'string' },
  timeout: { type: 'string' },
  token: { type: 'string' },
} as const

const DEFAULT_URL = 'http://127.0.0.1:8080'

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args, options: { ...COMMON_OPTIONS, ...OPTIONS }, allowPositionals: true, strict: true }),
  )
  if (positionals.length > 1) throw new UsageError(`status takes one URL (got ${positionals.join(' ')})`)
  // `status URL` and the older `status --url URL` are the same.
  const given = [positionals[0], values.url].filter((url) => url !== undefined)
  if (given.length > 1) throw new UsageError('give the URL once (as an argument or with --url)')
  if (given.length > 0 && values.config) throw new UsageError('give a URL or --config, not both')
  if (values.metrics && values.json) throw new UsageError('give --metrics or --json, not both')
  if (values.token === '') throw new UsageError('--token is empty')
  const base = given[0] ?? (values.config ? await urlFromConfig(resolveFile(io, values.config)) : DEFAULT_URL)
  let url: string
  try {
    url = statusUrl(base).href
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const timeoutMs = positiveInteger(values.timeout, '--timeout', 5000)
  let status: FederationStatus
  try {
    status = await fetchStatus(url, { timeoutMs, token: values.token })
  } catch (error) {
    if (!(error instanceof StatusFetchError)) throw error
    // An unreachable or broken endpoint is a finding about the running service.
    if (values.json)
      io.stdout(
        jsonDocument('status', false, { url, error: { code: 'UNREACHABLE', message: error.message } }),
      )
    else io.stderr(`✖ ${error.message}\n`)
    return EXIT.problems
  }
  const assessment = assessStatus(status, {
    expiryDays: positiveInteger(values['expiry-days'], '--expiry-days', 30),
  })
  const warnings = assessment.domains.some((domain) => domain.status === 'warn')
  const ok = assessment.ok && !(values.strict && warnings)
  if (values.metrics) io.stdout(renderPrometheus(status))
  else if (values.json) io.stdout(jsonDocument('status', ok, statusDocument(url, status, assessment)))
  else io.stdout(renderStatusReport(status, assessment, { ...io, url }))
  return ok ? EXIT.ok : EXIT.problems
}

function statusDocument(url: string, status: FederationStatus, assessment: StatusAssessment) {
  const { status: verdict, code, message } = assessment.federation
  return {
    url,
    federation: { state: status.state, localDomains: status.localDomains, verdict, code, message },
    domains: assessment.domains.map(({ domain, status: verdict, findings }) => ({
      ...domain,
      verdict,
      findings,
    })),
    ...(clusterSection(status)
      ? { cluster: { ...clusterSection(status), findings: assessment.cluster } }
      : {}),
  }
}

async function urlFromConfig(file: string): Promise<string> {
  try {
    const config = await loadConfigFile(file, { checkFiles: false })
    if (!config.http) throw new InputError(`${file} has no http section; give --url`)
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host
    return `http://${host}:${config.http.port}`
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError(error.message)
    throw error
  }
}
