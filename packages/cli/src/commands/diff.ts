import { parseArgs } from 'node:util'
import { compareConfigFiles, compareNodes, isStatusUrl } from '@xmpp-federation/diagnostics'
import { COMMON_OPTIONS, positiveInteger, withUsageErrors } from '../args.js'
import { type CliIo, resolveFile } from '../io.js'
import { renderDiffReport } from '../render/diff-report.js'
import { jsonDocument } from '../render/json.js'
import { EXIT, UsageError } from '../usage.js'

const DIFF_OPTIONS = {
  ...COMMON_OPTIONS,
  token: { type: 'string' },
  timeout: { type: 'string' },
} as const

export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args, options: DIFF_OPTIONS, allowPositionals: true, strict: true }),
  )
  if (positionals.length === 0) throw new UsageError('diff takes one FILE or URL per node (at least one)')
  if (values.token === '') throw new UsageError('--token is empty')
  const sources = positionals.map((source) => (isStatusUrl(source) ? source : resolveFile(io, source)))
  const report = sources.some(isStatusUrl)
    ? await compareNodes(sources, {
        token: values.token,
        timeoutMs: positiveInteger(values.timeout, '--timeout', 5000),
      })
    : await compareConfigFiles(sources)
  // Files as the user wrote them.
  const asGiven = new Map(positionals.map((source, index) => [sources[index]!, source]))
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
