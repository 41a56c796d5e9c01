import { type ConfigIssue, type FederationConfigInput, safeParseConfig } from '../src/index.js'

/** The issues a configuration yields; fails the test if it is valid. */
export function issuesOf(input: unknown): ConfigIssue[] {
  const result = safeParseConfig(input)
  if (result.ok) throw new Error('expected the configuration to be invalid')
  return result.issues
}

/** The one issue at `path`, checked to be the only one there. */
export function issueAt(input: unknown, path: string): ConfigIssue {
  const issues = issuesOf(input)
  const matching = issues.filter((issue) => issue.path === path)
  if (matching.length !== 1) {
    throw new Error(`expected one issue at ${path}, got: ${JSON.stringify(issues, null, 2)}`)
  }
  return matching[0]!
}

/** A valid base configuration with `overrides` merged in at the top level. */
export function withBase(overrides: Record<string, unknown>): FederationConfigInput {
  return { domains: ['c.test'], ...overrides } as FederationConfigInput
}
