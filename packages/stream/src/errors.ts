import type { StreamErrorCondition } from '@xmpp-federation/interface'

/**
 * Errors of an s2s stream, each carrying its RFC 6120 condition.
 * Code branches on `name` and `condition`, never on the message.
 */

export type {
  SaslFailureCondition,
  StanzaErrorCondition,
  StanzaErrorType,
  StreamErrorCondition,
} from '@xmpp-federation/interface'

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

/**
 * Why a stream failed to become usable; carried by NegotiationError so callers can branch without parsing
 * messages.
 */
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
