import { constants } from 'node:fs'
import { access, readFile } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import { ConfigError } from './config-error.js'
import { type ConfigIssue, formatPath } from './config-issue.js'
import { fileSettings, resolveFilePaths } from './file-paths.js'
import { humanMessage } from './human-messages.js'
import { type FederationConfig, federationConfigSchema } from './schema.js'
import { parseConfigText, type SourceFormat } from './source-text.js'
import { type TracedIssue, toConfigIssues } from './zod-issues.js'

/** How parseConfig reads an object: where it came from, for messages, and where relative paths start. */
export interface ParseConfigOptions {
  /** Where the input came from (a file name, 'environment', ...), named in error messages. */
  source?: string
  /** Resolve relative file paths (tls.cert, ...) against this directory. */
  baseDir?: string
}

/** What safeParseConfig returns instead of throwing: the configuration, or every issue found. */
export type SafeParseConfigResult =
  | { ok: true; config: FederationConfig }
  | { ok: false; issues: ConfigIssue[] }

type Validated = { ok: true; config: FederationConfig } | { ok: false; traced: TracedIssue[] }

function validate(input: unknown): Validated {
  const result = federationConfigSchema.safeParse(input, { error: humanMessage, reportInput: true })
  if (result.success) return { ok: true, config: result.data }
  return { ok: false, traced: toConfigIssues(result.error.issues, federationConfigSchema) }
}

/** Validates a configuration object, filling defaults; reports every problem instead of throwing. */
export function safeParseConfig(input: unknown, options: ParseConfigOptions = {}): SafeParseConfigResult {
  const result = validate(input)
  if (!result.ok) return { ok: false, issues: result.traced.map(({ issue }) => issue) }
  const config =
    options.baseDir === undefined ? result.config : resolveFilePaths(result.config, options.baseDir)
  return { ok: true, config }
}

/** Validates a configuration object, filling defaults; throws a ConfigError listing every problem. */
export function parseConfig(input: unknown, options: ParseConfigOptions = {}): FederationConfig {
  const result = safeParseConfig(input, options)
  if (!result.ok) throw new ConfigError(result.issues, options.source)
  return result.config
}

/** Options of loadConfigFile: whether to check the files the configuration names. */
export interface LoadConfigFileOptions {
  /** Check that the files the configuration names (certificates, keys, CAs) are readable. Default true. */
  checkFiles?: boolean
}

const FORMATS: Record<string, SourceFormat> = { '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml' }

/**
 * Reads a `.json`, `.yaml` or `.yml` configuration file. File paths inside it are resolved against
 * the file's directory. Every issue carries the line and column it refers to.
 */
export async function loadConfigFile(
  file: string,
  options: LoadConfigFileOptions = {},
): Promise<FederationConfig> {
  const format = FORMATS[extname(file).toLowerCase()]
  if (format === undefined) {
    const issue: ConfigIssue = {
      code: 'BAD_FILE',
      path: '',
      message: 'the file type is unknown',
      fix: 'name it *.json, *.yaml or *.yml',
    }
    throw new ConfigError([issue], file)
  }
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'MISSING_FILE' : 'BAD_FILE'
    throw new ConfigError(
      [{ code, path: '', message: `the file cannot be read (${(error as Error).message})` }],
      file,
    )
  }
  const parsed = parseConfigText(text, format)
  if (!parsed.ok) throw new ConfigError(parsed.issues, file)
  const located = ({ issue, at }: TracedIssue): ConfigIssue => ({ ...issue, ...parsed.locate(at) })

  const result = validate(parsed.value)
  if (!result.ok) throw new ConfigError(result.traced.map(located), file)
  const config = resolveFilePaths(result.config, dirname(resolve(file)))
  if (options.checkFiles !== false) {
    const unreadable = await unreadableFiles(config)
    if (unreadable.length > 0) throw new ConfigError(unreadable.map(located), file)
  }
  return config
}

async function unreadableFiles(config: FederationConfig): Promise<TracedIssue[]> {
  const checks = fileSettings(config).map(async ({ path, file }): Promise<TracedIssue[]> => {
    try {
      await access(file, constants.R_OK)
      return []
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
      const reason = missing ? 'does not exist' : 'cannot be read'
      const fix = 'relative paths are resolved against the directory of the configuration file'
      const issue: ConfigIssue = {
        code: missing ? 'MISSING_FILE' : 'BAD_FILE',
        path: formatPath(path),
        message: `${file} ${reason}`,
        fix,
      }
      return [{ issue, at: path }]
    }
  })
  return (await Promise.all(checks)).flat()
}
