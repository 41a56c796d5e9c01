import { z } from 'zod'
import { type ConfigIssue, type ConfigIssueCode, formatPath } from './config-issue.js'
import { didYouMean } from './did-you-mean.js'
import { quote } from './quote.js'

// Turns zod's issues into ConfigIssues: one per unknown key, the offending value quoted
// (never a secret), and a fix where one is obvious.

// Values under `dialback` are never quoted back: a misplaced secret is still a secret.
const isSecret = (path: readonly PropertyKey[]) => path[0] === 'dialback'

/** A ConfigIssue with the raw path it came from, to locate it in a file. */
export type TracedIssue = { issue: ConfigIssue; at: readonly PropertyKey[] }

export function toConfigIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): TracedIssue[] {
  return issues.flatMap((issue): TracedIssue[] => {
    if (issue.code === 'unrecognized_keys') return unknownKeyIssues(issue, schema)
    if (issue.code === 'invalid_type' && issue.path.length === 0) {
      const message = `the configuration must be an object with at least \`domains\`${gotSuffix(issue, false)}`
      return [{ issue: { code: codeOf(issue), path: '', message }, at: [] }]
    }
    const secret = isSecret(issue.path)
    const message = issue.message + gotSuffix(issue, secret)
    const fix = fixFor(issue, secret)
    const code = codeOf(issue)
    return [
      { issue: { code, path: formatPath(issue.path), message, ...(fix ? { fix } : {}) }, at: issue.path },
    ]
  })
}

// Checks written for this schema name their code in `params.code`; zod's own issues are
// either a missing value or a bad one (unknown keys are handled apart).
function codeOf(issue: z.core.$ZodIssue): ConfigIssueCode {
  const params = issue.code === 'custom' ? issue.params : undefined
  if (typeof params?.code === 'string') return params.code as ConfigIssueCode
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'MISSING_VALUE'
  return 'BAD_VALUE'
}

function unknownKeyIssues(issue: z.core.$ZodIssueUnrecognizedKeys, schema: z.ZodType): TracedIssue[] {
  const known = Object.keys(objectAt(schema, issue.path)?.shape ?? {}).filter((key) => key !== '$schema')
  return issue.keys.map((key) => {
    const suggestion = didYouMean(key, known)
    const listing = `known keys here: ${known.join(', ')}`
    const at = [...issue.path, key]
    const fix = suggestion ? `did you mean '${suggestion}'? (${listing})` : `remove it (${listing})`
    return {
      issue: { code: 'UNKNOWN_KEY', path: formatPath(at), message: 'is not a known setting', fix },
      at,
    }
  })
}

/** The object schema at `path`, looking through wrappers, lists and maps. */
function objectAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodObject | undefined {
  let current: z.ZodType | undefined = unwrap(schema)
  for (const segment of path) {
    if (current instanceof z.ZodObject) current = current.shape[String(segment)] as z.ZodType | undefined
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType
    else return undefined
    current = current && unwrap(current)
  }
  return current instanceof z.ZodObject ? current : undefined
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap() as z.ZodType
  }
  return current
}

function describeValue(value: unknown, secret: boolean): string {
  if (secret) return typeof value === 'string' ? `${value.length} characters` : typeOf(value)
  if (typeof value === 'string') return quote(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (typeof value === 'object' && value !== null) return typeOf(value)
  return String(value)
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

/** ' (got 70000)' for issues about a value the user wrote; custom issues quote it themselves. */
function gotSuffix(issue: z.core.$ZodIssue, secret: boolean): string {
  if (issue.code === 'custom' || issue.code === 'invalid_union' || issue.input === undefined) return ''
  return ` (got ${describeValue(issue.input, secret)})`
}

const BOOLEAN_WORDS = /^(true|false|yes|no|on|off)$/i

function fixFor(issue: z.core.$ZodIssue, secret: boolean): string | undefined {
  const params = issue.code === 'custom' ? issue.params : undefined
  if (typeof params?.fix === 'string') return params.fix
  if (issue.code === 'invalid_value') {
    const suggestion =
      typeof issue.input === 'string' ? didYouMean(issue.input, issue.values.map(String)) : undefined
    return suggestion === undefined ? undefined : `did you mean ${quote(suggestion)}?`
  }
  if (issue.code === 'invalid_type' && typeof issue.input === 'string' && !secret) {
    const expected = issue.expected
    if (
      (expected === 'number' || expected === 'int') &&
      issue.input.trim() !== '' &&
      Number.isFinite(Number(issue.input))
    ) {
      return `write ${issue.input.trim()} without quotes`
    }
    if (expected === 'boolean' && BOOLEAN_WORDS.test(issue.input))
      return 'write true or false, without quotes'
    if (expected === 'array') return `write a list, e.g. [${quote(issue.input)}]`
  }
  return undefined
}
