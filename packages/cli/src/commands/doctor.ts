import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { ConfigError, type FederationConfig, loadConfigFile } from '@xmpp-federation/config'
import { type DoctorReport, runDoctor } from '@xmpp-federation/diagnostics'
import { dialback } from '@xmpp-federation/dialback'
import { COMMON_OPTIONS, hostAndPort, positiveInteger, withUsageErrors } from '../args.js'
import { type CliIo, resolveFile } from '../io.js'
import { renderDoctorReport } from '../render/doctor-report.js'
import { jsonDocument } from '../render/json.js'
import { EXIT, UsageError } from '../usage.js'
import { InputError } from './input-error.js'

const OPTIONS = {
  config: { type: 'string' },
  'local-domain': { type: 'string' },
  'dns-server': { type: 'string', multiple: true },
  route: { type: 'string', multiple: true },
  ca: { type: 'string', multiple: true },
  'expiry-days': { type: 'string' },
  timeout: { type: 'string' },
} as const

export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args, options: { ...COMMON_OPTIONS, ...OPTIONS }, allowPositionals: true, strict: true }),
  )
  if (positionals.length !== 1) throw new UsageError('doctor takes exactly one DOMAIN')
  const config = values.config === undefined ? undefined : await loadConfig(resolveFile(io, values.config))
  const timeout = positiveInteger(values.timeout, '--timeout', 0) || undefined
  let report: DoctorReport
  try {
    report = await runDoctor({
      domain: positionals[0]!,
      ...(config ? { config, mechanisms: dialbackFrom(config) } : {}),
      ...(values['local-domain'] ? { localDomain: values['local-domain'] } : {}),
      ...(values['dns-server'] ? { dnsServers: values['dns-server'] } : {}),
      ...(values.route ? { routes: values.route.map((route) => hostAndPort(route, '--route')) } : {}),
      ca: await Promise.all((values.ca ?? []).map((file) => readInput(resolveFile(io, file), '--ca'))),
      expiryDays: positiveInteger(values['expiry-days'], '--expiry-days', 30),
      ...(timeout ? { timeouts: { connectMs: timeout, negotiationMs: timeout, dnsMs: timeout } } : {}),
    })
  } catch (error) {
    // runDoctor throws only for input it cannot use: a malformed domain, an unreadable file.
    if (error instanceof TypeError) throw new UsageError(error.message)
    throw new InputError((error as Error).message)
  }
  const strict = values.strict === true
  const ok = report.ok && !(strict && report.summary.warn > 0)
  io.stdout(values.json ? jsonDocument('doctor', ok, report) : renderDoctorReport(report, { ...io, strict }))
  return ok ? EXIT.ok : EXIT.problems
}

async function loadConfig(file: string): Promise<FederationConfig> {
  try {
    return await loadConfigFile(file)
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new InputError(`${error.message}\n(run xmpp-federation check-config ${file} for details)`)
    }
    throw error
  }
}

/** Dialback after SASL EXTERNAL, with the deployment's own secret, so its servers can vouch for the key. */
function dialbackFrom(config: FederationConfig) {
  if (!config.dialback) return []
  // The remote answers only after calling our servers back; a silent peer (Prosody says
  // nothing when that call fails) should not hold the doctor up for long.
  return [dialback({ secret: config.dialback.secret, timeoutMs: 5000 })]
}

async function readInput(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError(`${option}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`)
  }
}
