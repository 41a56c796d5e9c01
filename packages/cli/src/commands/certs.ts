import { parseArgs } from 'node:util'
import { COMMON_OPTIONS, withUsageErrors } from '../args.js'
import { CertificatesError } from '../certs/certificates-error.js'
import {
  createDevelopmentCertificates,
  type DevelopmentCertificates,
} from '../certs/development-certificates.js'
import type { KeyType } from '../certs/keys.js'
import { type CliIo, resolveFile } from '../io.js'
import { renderCertsReport } from '../render/certs-report.js'
import { jsonDocument } from '../render/json.js'
import { EXIT, UsageError } from '../usage.js'
import { InputError } from './input-error.js'

const OPTIONS = {
  out: { type: 'string' },
  'key-type': { type: 'string' },
  days: { type: 'string' },
  force: { type: 'boolean' },
} as const

export async function certsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args, options: { ...COMMON_OPTIONS, ...OPTIONS }, allowPositionals: true, strict: true }),
  )
  if (positionals.length === 0) throw new UsageError('certs takes one DOMAIN or more')
  if (values.out === undefined) throw new UsageError('certs needs --out DIR: where the files go')
  let made: DevelopmentCertificates
  try {
    made = await createDevelopmentCertificates({
      dir: resolveFile(io, values.out),
      domains: positionals,
      keyType: values['key-type'] as KeyType | undefined, // the library refuses any other
      days: days(values.days),
      force: values.force === true,
    })
  } catch (error) {
    throw asCommandError(error as Error)
  }
  io.stdout(values.json ? jsonDocument('certs', true, certsDocument(made)) : renderCertsReport(made, io))
  return EXIT.ok
}

function days(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError(`--days must be a whole number of 1 or more, not ${JSON.stringify(value)}`)
  }
  return number
}

function asCommandError(error: Error): Error {
  if (!(error instanceof CertificatesError)) {
    // The file system refused: a directory that cannot be made or written.
    const code = (error as NodeJS.ErrnoException).code
    return code ? new InputError(error.message) : error
  }
  if (error.code === 'INVALID_OPTION') return new UsageError(error.message)
  if (error.code === 'FILES_EXIST') {
    return new InputError(`${error.files.join(', ')} already exist; --force replaces them`)
  }
  return new InputError(error.message)
}

/** The --json payload: absolute paths, dates in ISO 8601, and each domain's tls section. */
function certsDocument(made: DevelopmentCertificates) {
  return {
    dir: made.dir,
    ca: { ...made.ca, notAfter: made.ca.notAfter.toISOString() },
    certificates: made.domains.map((entry) => ({
      ...entry,
      notAfter: entry.notAfter.toISOString(),
      tls: { cert: entry.cert, key: entry.key, ca: [made.ca.cert] },
    })),
  }
}
