import { certsCommand } from './commands/certs.js'
import { checkConfigCommand } from './commands/check-config.js'
import { diffCommand } from './commands/diff.js'
import { doctorCommand } from './commands/doctor.js'
import { InputError } from './commands/input-error.js'
import { migrationPlanCommand } from './commands/migration-plan.js'
import { reloadCommand } from './commands/reload.js'
import { statusCommand } from './commands/status.js'
import type { CliIo } from './io.js'
import { jsonError } from './render/json.js'
import { COMMAND_USAGE, EXIT, USAGE, UsageError } from './usage.js'

type Command = (args: string[], io: CliIo) => Promise<number>

const COMMANDS: Record<string, Command> = {
  certs: certsCommand,
  'check-config': checkConfigCommand,
  diff: diffCommand,
  doctor: doctorCommand,
  'migration-plan': migrationPlanCommand,
  reload: reloadCommand,
  status: statusCommand,
}

/** Runs one command line (without the program name); resolves with the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(USAGE)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === 'help') return help(args[0], io)
  const command = COMMANDS[name]
  const json = args.includes('--json')
  if (!command) return fail(io, name, json, new UsageError(`unknown command ${JSON.stringify(name)}`), USAGE)
  if (args.includes('--help') || args.includes('-h')) return help(name, io)
  try {
    return await command(args, io)
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      return fail(io, name, json, error, error instanceof UsageError ? COMMAND_USAGE[name] : undefined)
    }
    throw error
  }
}

function help(name: string | undefined, io: CliIo): number {
  const text = name === undefined ? USAGE : COMMAND_USAGE[name]
  if (text === undefined) {
    io.stderr(`unknown command ${JSON.stringify(name)}\n\n${USAGE}`)
    return EXIT.usage
  }
  io.stdout(`${text}\n`)
  return EXIT.ok
}

function fail(io: CliIo, command: string, json: boolean, error: Error, usage: string | undefined): number {
  const kind = error instanceof UsageError ? 'USAGE' : 'INPUT'
  if (json) io.stdout(jsonError(command, kind, error.message))
  else io.stderr(`xmpp-federation ${command}: ${error.message}\n${usage ? `\n${usage}\n` : ''}`)
  return EXIT.usage
}
