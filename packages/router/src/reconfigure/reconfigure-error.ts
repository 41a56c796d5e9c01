import type { ConfigIssueCode } from '@xmpp-federation/config'

/** One reason a reload was refused: a setting and what is wrong with it. */
export interface ReconfigureIssue {
  /**
   * A ConfigIssueCode for problems of the configuration itself (UNKNOWN_KEY, MISSING_FILE,
   * NO_AUTH_METHOD, ...), or what failed while preparing it: `LISTEN_FAILED` (a new listener
   * cannot bind), `TLS_FAILED` (certificates that cannot be used), `BUILD_FAILED` (policy,
   * resolver or stream settings refused by their component).
   */
  readonly code: ConfigIssueCode | 'LISTEN_FAILED' | 'TLS_FAILED' | 'BUILD_FAILED'
  /** The setting, e.g. `tls.cert` or `listen[1]`; '' for the whole configuration. */
  readonly path: string
  readonly message: string
  readonly fix?: string
}

/**
 * A new configuration refused whole by `federation.reconfigure()`: `issues` names every
 * problem found. Nothing was changed; the old configuration keeps serving.
 */
export class ReconfigureError extends Error {
  static override readonly name = 'ReconfigureError'
  override readonly name = 'ReconfigureError'

  constructor(
    readonly issues: readonly ReconfigureIssue[],
    options: { cause?: unknown } = {},
  ) {
    super(
      `configuration refused, the old one keeps serving:\n${issues.map((issue) => `  - ${issue.path || '(config)'}: ${issue.message}${issue.fix ? ` (${issue.fix})` : ''}`).join('\n')}`,
      { cause: options.cause },
    )
  }
}
