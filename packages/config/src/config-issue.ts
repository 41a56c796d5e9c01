/**
 * What kind of problem an issue is, stable across releases so that tools can act on it:
 * the wording of `message` may change, the code does not.
 */
export type ConfigIssueCode =
  | 'UNKNOWN_KEY'
  | 'BAD_VALUE'
  | 'MISSING_VALUE'
  | 'MISSING_FILE'
  | 'BAD_FILE'
  | 'SIP_CONFLICT'
  | 'NO_AUTH_METHOD'
  | 'CONFLICT'

/** One problem in a configuration, phrased so that a person can act on it. */
export interface ConfigIssue {
  /** The kind of problem (absent only in issues built by older code paths). */
  code?: ConfigIssueCode
  /** Where the problem sits, e.g. `listen[0].port` or `policy.domains.a.test.tls`; '' for the whole file. */
  path: string
  /** What is wrong, e.g. `must be an integer from 1 to 65535 (got 70000)`. */
  message: string
  /** What to change, when there is an obvious remedy. */
  fix?: string
  /** Position in the configuration file (1-based), when the issue came from a file. */
  line?: number
  column?: number
}

export type PathSegment = string | number

/** `['listen', 0, 'port']` → `listen[0].port`; domain keys keep their dots: `policy.domains.a.test.tls`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = ''
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`
    else text += text === '' ? String(segment) : `.${String(segment)}`
  }
  return text
}

/** One line per issue (and per fix), headed by where the configuration came from. */
export function formatIssues(issues: readonly ConfigIssue[], source?: string): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`
  const lines = [`Invalid federation configuration${source ? ` in ${source}` : ''} (${count}):`]
  for (const issue of issues) {
    const where = issue.line === undefined ? '' : ` [line ${issue.line}, column ${issue.column ?? 1}]`
    // Issues about the whole file ('') read as a sentence of their own.
    lines.push(`  ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}${where}`)
    if (issue.fix) lines.push(`      fix: ${issue.fix}`)
  }
  return lines.join('\n')
}
