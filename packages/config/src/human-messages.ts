import type { z } from 'zod'
import { quote } from './quote.js'

// Zod's default messages speak to programmers ("expected string, received number"). These speak
// to whoever edits the configuration file. A message given in the schema itself still wins.

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object (key: value pairs)',
  record: 'an object (key: value pairs)',
}

function sizeRule(origin: string, bound: number | bigint, comparison: string): string {
  if (origin === 'string') return `must be ${comparison} ${bound} characters long`
  if (origin === 'array' || origin === 'set')
    return `must list ${comparison} ${bound} item${bound === 1 ? '' : 's'}`
  return `must be ${comparison} ${bound}`
}

export const humanMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required'
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${quote(issue.values[0])}`
        : `must be one of ${issue.values.map(quote).join(', ')}`
    case 'too_small':
      return sizeRule(issue.origin, issue.minimum, issue.inclusive === false ? 'more than' : 'at least')
    case 'too_big':
      return sizeRule(issue.origin, issue.maximum, issue.inclusive === false ? 'less than' : 'at most')
    case 'invalid_format':
      return issue.pattern ? `must match the pattern ${issue.pattern}` : `must be a valid ${issue.format}`
    case 'unrecognized_keys':
      return 'is not a known setting'
    default:
      return undefined
  }
}
