/** What validation reports, and what createDomainPolicy throws for input it cannot use. */

export type PolicyProblemCode =
  | 'INVALID_VALUE'
  | 'INVALID_DOMAIN'
  | 'INVALID_PATTERN'
  | 'INVALID_LIMIT'
  | 'INVALID_VERSION'
  | 'EMPTY_PRODUCT'
  | 'NO_LOCAL_DOMAIN'
  | 'SIP_FEDERATED_CONFLICT'
  | 'CERTIFICATE_WITHOUT_TLS'
  | 'SASL_EXTERNAL_WITHOUT_TLS'
  | 'NO_AUTH_METHOD'
  | 'STANZA_LIMIT_TOO_LOW'
  | 'EMPTY_ALLOWLIST'
  | 'EMPTY_DENYLIST'
  | 'ALLOW_UNUSED'
  | 'ALLOW_SHADOWED'
  | 'DUPLICATE_ENTRY'

export interface PolicyProblem {
  /** Where in the input, e.g. `policy.sipFederatedDomains[0]` or `policy.domains["*.example.com"].tls`. */
  readonly path: string
  readonly code: PolicyProblemCode
  /** error: the deployment is wrong as configured; warning: probably not what was meant. */
  readonly severity: 'error' | 'warning'
  readonly message: string
  readonly fix: string
}

/**
 * Problems with which no decision can be made as written (a malformed deny entry would
 * otherwise silently allow). createDomainPolicy refuses input that has any of them;
 * every other problem is reported but decisions stay safe (a SIP conflict, for
 * instance, is refused at run time).
 */
export const BLOCKING_PROBLEMS: ReadonlySet<PolicyProblemCode> = new Set([
  'INVALID_VALUE',
  'INVALID_DOMAIN',
  'INVALID_PATTERN',
  'INVALID_LIMIT',
  'INVALID_VERSION',
  'EMPTY_PRODUCT',
])

/** Thrown by createDomainPolicy for input with blocking problems. */
export class PolicyConfigError extends Error {
  static override readonly name = 'PolicyConfigError'
  override readonly name = 'PolicyConfigError'
  readonly problems: readonly PolicyProblem[]
  constructor(problems: readonly PolicyProblem[]) {
    super(
      `invalid federation policy:\n${problems.map((p) => `- ${p.path}: ${p.message}; fix: ${p.fix}`).join('\n')}`,
    )
    this.problems = problems
  }
}
