import { parseArgs } from 'node:util'
import { ConfigError, type FederationConfig, loadConfigFile } from '@xmpp-federation/config'
import { migrationPlan, normalizeDomain } from '@xmpp-federation/policy'
import { COMMON_OPTIONS, withUsageErrors } from '../args.js'
import { type CliIo, resolveFile } from '../io.js'
import { jsonDocument } from '../render/json.js'
import { renderMigrationPlan } from '../render/migration-plan.js'
import { EXIT, UsageError } from '../usage.js'
import { InputError } from './input-error.js'

const OPTIONS = { config: { type: 'string' } } as const

/**
 * The SIP-to-XMPP migration plan for one domain, from the policy of a configuration file.
 * Exit 0 when the domain already federates over XMPP only, 1 while steps remain.
 */
export async function migrationPlanCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args, options: { ...COMMON_OPTIONS, ...OPTIONS }, allowPositionals: true, strict: true }),
  )
  if (positionals.length !== 1) throw new UsageError('migration-plan takes exactly one DOMAIN')
  if (values.config === undefined) throw new UsageError('migration-plan needs --config FILE')
  const domain = positionals[0]!
  if (normalizeDomain(domain) === undefined) {
    throw new UsageError(`${JSON.stringify(domain)} is not a valid domain name`)
  }
  const config = await loadConfig(io, values.config)
  const plan = migrationPlan(config, domain)
  const check = `xmpp-federation doctor ${plan.domain} --config ${values.config}`
  io.stdout(
    values.json
      ? jsonDocument('migration-plan', plan.complete, { config: values.config, ...plan, check })
      : renderMigrationPlan(plan, check, io),
  )
  return plan.complete ? EXIT.ok : EXIT.problems
}

// The plan reads the policy only: the certificates and keys the file names need not be there.
async function loadConfig(io: CliIo, file: string): Promise<FederationConfig> {
  try {
    return await loadConfigFile(resolveFile(io, file), { checkFiles: false })
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new InputError(`${error.message}\n(run xmpp-federation check-config ${file} for details)`)
    }
    throw error
  }
}
