/**
 * What kind of problem an issue is, stable across releases so that tools can act on it:
 * the wording of `message` may change, the code does not. README.md lists them, with
 * which are errors (ConfigError) and which are warnings (`configWarnings`).
 */
export type ConfigIssueCode =
  /** A key the schema does not know (often a typo). */
  | 'UNKNOWN_KEY'
  /** A value of the wrong type, range, format or enum. */
  | 'BAD_VALUE'
  /** A required value is absent, or a setting needs another that is absent (tls.cert without tls.key). */
  | 'MISSING_VALUE'
  /** A file named by the configuration, or the configuration file itself, does not exist. */
  | 'MISSING_FILE'
  /** A file that cannot be read or parsed (unknown type, syntax error, no permission). */
  | 'BAD_FILE'
  /** The same domain, listener or list entry twice. */
  | 'DUPLICATE'
  /** A domain still federated over SIP is also configured for XMPP federation. */
  | 'SIP_CONFLICT'
  /** Streams in some direction, globally or for some domains, could never authenticate. */
  | 'NO_AUTH_METHOD'
  /** A stanza limit below the 10 000 bytes RFC 6120 §13.12 requires a server to accept. */
  | 'STANZA_LIMIT_TOO_SMALL'
  /** Settings that contradict each other (allow and deny, a mode and its list, ...). */
  | 'CONFLICT'
  /** A setting that is valid but has no effect as configured (a warning, never an error). */
  | 'UNUSED_SETTING'

/** One problem in a configuration, phrased so that a person can act on it. */
export interface ConfigIssue {
  /** The kind of problem; stable, unlike `message`. */
  code: ConfigIssueCode
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
