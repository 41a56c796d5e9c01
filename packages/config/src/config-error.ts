import { type ConfigIssue, formatIssues } from './config-issue.js'

/** A configuration that cannot be used; `issues` lists every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly issues: ConfigIssue[]
  readonly source: string | undefined

  constructor(issues: ConfigIssue[], source?: string) {
    super(formatIssues(issues, source))
    this.issues = issues
    this.source = source
  }
}
