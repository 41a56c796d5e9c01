/**
 * Every policy answer is a Decision: allowed or not, a stable code to branch and
 * count on, a reason a person can read, and for refusals the RFC 6120 §8.3.3
 * condition the router should bounce the stanza with (never a silent drop).
 */

import type { StanzaErrorCondition, StanzaErrorType } from '@xmpp-federation/interface'

export type { StanzaErrorCondition, StanzaErrorType }

/** Stable codes: logs, metrics and callers branch on these, never on `reason`. */
export type RefusalCode =
  | 'INVALID_DOMAIN'
  | 'DENYLISTED'
  | 'NOT_ALLOWLISTED'
  | 'SIP_FEDERATED'
  | 'PEER_SOFTWARE_REFUSED'
  | 'PEER_SOFTWARE_UNKNOWN'
  | 'WEBEX_INVITE'
  | 'RATE_LIMITED'
  | 'STANZA_TOO_LARGE'
  | 'TOO_MANY_STREAMS'
  | 'NO_EMAIL_MAPPING'
  | 'EMAIL_DOMAIN_NOT_SERVED'
  | 'DIRECTORY_ERROR'

/** Every code a Decision can carry: `ALLOWED` or one of the refusal codes. */
export type DecisionCode = 'ALLOWED' | RefusalCode

/** A decision that lets the stream or stanza through. */
export interface Allowed {
  readonly allowed: true
  readonly code: 'ALLOWED'
  readonly reason: string
}

/** A decision that stops the stream or stanza, with the stanza error to bounce it with. */
export interface Refused {
  readonly allowed: false
  readonly code: RefusalCode
  readonly reason: string
  /** The condition for the error stanza the router sends back. */
  readonly condition: StanzaErrorCondition
  readonly errorType: StanzaErrorType
}

/** What every policy check returns; branch on `allowed`, count on `code`, show `reason`. */
export type Decision = Allowed | Refused

/**
 * One condition per code, so a given refusal always bounces the same way.
 * - policy-violation: "violated some local service policy" (RFC 6120 §8.3.3.12), incl. size limits.
 * - feature-not-implemented: the WebEx Connect client cannot take part in chat-room invites.
 * - resource-constraint with type wait: retry later may succeed (§8.3.3.18).
 * - internal-server-error: our own directory failed; the sender did nothing wrong.
 */
const BOUNCE: Readonly<Record<RefusalCode, readonly [StanzaErrorCondition, StanzaErrorType]>> = {
  INVALID_DOMAIN: ['jid-malformed', 'modify'],
  DENYLISTED: ['policy-violation', 'cancel'],
  NOT_ALLOWLISTED: ['policy-violation', 'cancel'],
  SIP_FEDERATED: ['policy-violation', 'cancel'],
  PEER_SOFTWARE_REFUSED: ['policy-violation', 'cancel'],
  PEER_SOFTWARE_UNKNOWN: ['policy-violation', 'cancel'],
  WEBEX_INVITE: ['feature-not-implemented', 'cancel'],
  RATE_LIMITED: ['resource-constraint', 'wait'],
  STANZA_TOO_LARGE: ['policy-violation', 'modify'],
  TOO_MANY_STREAMS: ['resource-constraint', 'wait'],
  NO_EMAIL_MAPPING: ['policy-violation', 'cancel'],
  EMAIL_DOMAIN_NOT_SERVED: ['policy-violation', 'cancel'],
  DIRECTORY_ERROR: ['internal-server-error', 'wait'],
}

/** An allowed Decision with a reason for the log. */
export function allow(reason: string): Allowed {
  return { allowed: true, code: 'ALLOWED', reason }
}

/**
 * A refused Decision; the code fixes the stanza error condition and type, so a refusal always bounces the
 * same way.
 */
export function refuse(code: RefusalCode, reason: string): Refused {
  const [condition, errorType] = BOUNCE[code]
  return { allowed: false, code, reason, condition, errorType }
}
