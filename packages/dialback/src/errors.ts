import type { StanzaErrorCondition, StanzaErrorType } from '@xmpp-federation/stream'

/**
 * A dialback attempt that did not succeed, with the stanza error condition of
 * XEP-0220 §2.5 (`forbidden` when the key was judged invalid). Dialback errors
 * are not stream errors: the stream survives them. Branch on `condition`.
 */
export class DialbackError extends Error {
  static override readonly name = 'DialbackError'
  override readonly name = 'DialbackError'

  constructor(
    readonly condition: StanzaErrorCondition,
    readonly text?: string,
    options: { cause?: unknown } = {},
  ) {
    super(text ? `${condition}: ${text}` : condition, { cause: options.cause })
  }
}

/** The RFC 6120 §8.3.2 error type that goes with a condition in a dialback error. */
export function errorTypeFor(condition: StanzaErrorCondition): StanzaErrorType {
  switch (condition) {
    case 'remote-server-timeout':
    case 'resource-constraint':
      return 'wait'
    case 'not-authorized':
    case 'forbidden':
      return 'auth'
    case 'bad-request':
    case 'jid-malformed':
    case 'policy-violation': // RFC 6120 §8.3.3.12: modify or wait
      return 'modify'
    default:
      return 'cancel'
  }
}
