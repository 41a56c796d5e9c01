import { parseArgs } from 'node:util'
import { compareConfigFiles } from '@xmpp-federation/diagnostics'
import { COMMON_OPTIONS, withUsageErrors } from '../args.js'
import { type CliIo, resolveFile } from '../io.js'
import { renderDiffReport } from '../render/diff-report.js'
import { jsonDocument } from '../render/json.js'
import { EXIT, UsageError } from '../usage.js'

export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args, options: COMMON_OPTIONS, allowPositionals: true, strict: true }),
  )
  if (positionals.length === 0) throw new UsageError('diff takes one FILE per node (at least one)')
  const report = await compareConfigFiles(positionals.map((file) => resolveFile(io, file)))
  // Files as the user wrote them.
  const asGiven = new Map(positionals.map((file) => [resolveFile(io, file), file]))
  const shown = {
    ...report,
    files: report.files.map((entry) => ({ ...entry, file: asGiven.get(entry.file) ?? entry.file })),
    unreadable: report.unreadable.map((entry) => ({ ...entry, file: asGiven.get(entry.file) ?? entry.file })),
  }
  if (values.json) {
    const { comparison, ...rest } = shown
    io.stdout(jsonDocument('diff', report.ok, { ...rest, ...comparison }))
  } else {
    io.stdout(renderDiffReport(shown, io))
  }
  return report.ok ? EXIT.ok : EXIT.problems
}
