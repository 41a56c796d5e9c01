/**
 * Errors of an s2s stream, each carrying its RFC 6120 condition.
 * Code branches on `name` and `condition`, never on the message.
 */

/** RFC 6120 §4.9.3 stream error conditions. */
export type StreamErrorCondition =
  | 'bad-format'
  | 'bad-namespace-prefix'
  | 'conflict'
  | 'connection-timeout'
  | 'host-gone'
  | 'host-unknown'
  | 'improper-addressing'
  | 'internal-server-error'
  | 'invalid-from'
  | 'invalid-namespace'
  | 'invalid-xml'
  | 'not-authorized'
  | 'not-well-formed'
  | 'policy-violation'
  | 'remote-connection-failed'
  | 'reset'
  | 'resource-constraint'
  | 'restricted-xml'
  | 'see-other-host'
  | 'system-shutdown'
  | 'undefined-condition'
  | 'unsupported-encoding'
  | 'unsupported-feature'
  | 'unsupported-stanza-type'
  | 'unsupported-version'

/** RFC 6120 §8.3.3 stanza error conditions. */
export type StanzaErrorCondition =
  | 'bad-request'
  | 'conflict'
  | 'feature-not-implemented'
  | 'forbidden'
  | 'gone'
  | 'internal-server-error'
  | 'item-not-found'
  | 'jid-malformed'
  | 'not-acceptable'
  | 'not-allowed'
  | 'not-authorized'
  | 'policy-violation'
  | 'recipient-unavailable'
  | 'redirect'
  | 'registration-required'
  | 'remote-server-not-found'
  | 'remote-server-timeout'
  | 'resource-constraint'
  | 'service-unavailable'
  | 'subscription-required'
  | 'undefined-condition'
  | 'unexpected-request'

/** RFC 6120 §8.3.2 error types. */
export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait'

/** RFC 6120 §6.5 SASL failure conditions. */
export type SaslFailureCondition =
  | 'aborted'
  | 'account-disabled'
  | 'credentials-expired'
  | 'encryption-required'
  | 'incorrect-encoding'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'malformed-request'
  | 'mechanism-too-weak'
  | 'not-authorized'
  | 'temporary-auth-failure'

/** A stream error: sent to the peer (ours) or received from it (theirs). */
export class StreamError extends Error {
  static override readonly name = 'StreamError'
  override readonly name = 'StreamError'
  /** Whether the peer sent this error (`remote`) or we raised it (`local`). */
  readonly origin: 'local' | 'remote'

  constructor(
    readonly condition: StreamErrorCondition,
    readonly text?: string,
    options: { origin?: 'local' | 'remote'; cause?: unknown } = {},
  ) {
    super(text ? `${condition}: ${text}` : condition, { cause: options.cause })
    this.origin = options.origin ?? 'local'
  }
}

/** The stream closed before it could carry stanzas, for a reason that is not a stream error. */
export class NegotiationError extends Error {
  static override readonly name = 'NegotiationError'
  override readonly name = 'NegotiationError'

  constructor(
    /** A stable code: `TLS_REQUIRED`, `TLS_FAILED`, `AUTH_FAILED`, `TIMEOUT`, `CLOSED`, ... */
    readonly code: NegotiationErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
  }
}

export type NegotiationErrorCode =
  | 'CONNECT_FAILED'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'TLS_REQUIRED'
  | 'TLS_FAILED'
  | 'CERT_INVALID'
  | 'NO_AUTH_MECHANISM'
  | 'AUTH_FAILED'
  | 'PROTOCOL'
