import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { checkConfigFile } from '@xmpp-federation/diagnostics'
import { COMMON_OPTIONS, positiveInteger, withUsageErrors } from '../args.js'
import { type CliIo, resolveFile } from '../io.js'
import { renderConfigReport } from '../render/config-report.js'
import { jsonDocument } from '../render/json.js'
import { EXIT, UsageError } from '../usage.js'
import { InputError } from './input-error.js'

const OPTIONS = { 'expiry-days': { type: 'string' } } as const

export async function checkConfigCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args, options: { ...COMMON_OPTIONS, ...OPTIONS }, allowPositionals: true, strict: true }),
  )
  if (positionals.length !== 1) throw new UsageError('check-config takes exactly one FILE')
  const file = positionals[0]!
  const path = resolveFile(io, file)
  // A file that is not there is a mistyped argument, not a finding about a configuration.
  await access(path, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read ${file}: ${error.code ?? error.message}`)
  })
  const report = await checkConfigFile(path, {
    expiryDays: positiveInteger(values['expiry-days'], '--expiry-days', 30),
  })
  const shown = { ...report, file } // as the user wrote it
  const strict = values.strict === true
  const ok = report.ok && !(strict && report.summary.warnings > 0)
  io.stdout(
    values.json ? jsonDocument('check-config', ok, shown) : renderConfigReport(shown, { ...io, strict }),
  )
  return ok ? EXIT.ok : EXIT.problems
}
