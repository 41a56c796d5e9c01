import type { Element } from 'ltx'

/**
 * The contract between an s2s stream and the authentication mechanisms that
 * plug into it (SASL EXTERNAL, Server Dialback, a host's own): what a mechanism
 * may read of a stream and what it may do to it, per direction. Types only —
 * the stream package implements them; a mechanism never sees the stream object
 * itself, so it cannot reach past this contract, and what TLS and
 * authentication established stays read-only outside the stream package.
 */

/** Where a stream is in its life. */
export type StreamPhase = 'negotiating' | 'established' | 'closing' | 'closed'

/** How one remote domain must be secured (the policy's answer for that domain). */
export interface SecurityRequirements {
  readonly tls: 'none' | 'opportunistic' | 'required'
  /** The peer's certificate must chain to a trust anchor and name the domain. */
  readonly requireValidCertificate: boolean
  readonly saslExternal?: { readonly inbound: boolean; readonly outbound: boolean }
  readonly dialback?: boolean
}

/** What TLS established, as a mechanism may read it. */
export interface TlsFacts {
  /** e.g. `TLSv1.3`; null when unknown. */
  readonly protocol: string | null
  /** The peer's certificate, when it sent one: whether it may authenticate `domain` (RFC 9525). */
  readonly peerCertificate:
    | {
        /** Whether the certificate may authenticate `domain` (RFC 9525). */
        validFor(domain: string): boolean
      }
    | undefined
}

/** The peer's latest stream header. */
export interface PeerHeaderFacts {
  readonly from: string | undefined
  readonly to: string | undefined
  readonly id: string | undefined
  /** [major, minor]; undefined for a pre-1.0 peer. */
  readonly version: readonly [number, number] | undefined
  /** The header declared the dialback namespace. */
  readonly dialback: boolean
}

/** A (local domain, remote domain) pair authorised on a stream, and how. */
export interface AuthenticatedPair {
  readonly local: string
  readonly remote: string
  readonly mechanism: string
}

/** Structured log sink (pino's calling convention: fields, then message). */
export interface AuthLogger {
  /** Detail for tracing a negotiation; usually off. */
  debug(fields: Record<string, unknown>, message: string): void
  /** A normal event worth keeping, such as a pair authenticated. */
  info(fields: Record<string, unknown>, message: string): void
  /** Something a peer or the configuration got wrong; the stream carries on or closes cleanly. */
  warn(fields: Record<string, unknown>, message: string): void
  /** A failure of our own that needs an operator. */
  error(fields: Record<string, unknown>, message: string): void
}

/**
 * What every mechanism may read and do on a stream, whichever side opened it. One object per
 * stream (mechanisms may key state on it); call its methods on it (`stream.send(el)`), not
 * detached from it.
 */
export interface AuthStreamBase {
  readonly direction: 'inbound' | 'outbound'
  readonly phase: StreamPhase
  /** Our domain on this stream (the header's `to` inbound, `from` outbound). */
  readonly localDomain: string
  /** The peer's domain, once it named itself. */
  readonly remoteDomain: string | undefined
  /** The peer's IP address, when the stream runs over TCP. */
  readonly remoteAddress: string | undefined
  /** The current stream id (ours inbound, the peer's outbound). */
  readonly streamId: string
  /** What the peer wrote in its stream header; undefined until it arrives. */
  readonly peerHeader: PeerHeaderFacts | undefined
  /** What TLS established; undefined in clear. */
  readonly tls: TlsFacts | undefined
  /** The domains this deployment serves. */
  readonly localDomains: ReadonlySet<string>
  /** The security the policy requires towards `remoteDomain` (global settings before the peer named itself). */
  security(remoteDomain: string | undefined): SecurityRequirements
  /** The stream's negotiation deadline, a bound for any exchange a mechanism runs. */
  readonly negotiationMs: number
  /** Where a mechanism logs, already bound to this stream's fields. */
  readonly logger: AuthLogger
  /** The (local, remote) pairs authorised so far on this stream. */
  readonly authenticatedPairs: readonly AuthenticatedPair[]
  /**
   * Whether stanzas between `local` and `remote` are already authorised on this stream, so a mechanism can
   * skip a pair it need not prove again.
   */
  isAuthenticated(local: string, remote: string): boolean
  /** Writes one element (throws once the stream is closing). */
  send(element: Element): void
  /** The next top-level element `match` accepts (then not dispatched elsewhere); rejects on timeout or close. */
  nextElement(match: (element: Element) => boolean, timeoutMs: number): Promise<Element>
  /** Closes the stream, with a stream error condition when given. */
  close(condition?: string, text?: string): Promise<unknown>
}

/** The receiving side of a stream: the peer authenticates to us. */
export interface InboundAuthStream extends AuthStreamBase {
  readonly direction: 'inbound'
  /** Authorises (local, remote) on this stream: stanzas from `remote` to `local` may flow. */
  authenticate(local: string, remote: string, mechanism: string): void
  /** After SASL success (RFC 6120 §6.4.6): the peer's next bytes are a new stream header. */
  restartStream(): void
}

/** The initiating side of a stream: we authenticate to the peer. */
export interface OutboundAuthStream extends AuthStreamBase {
  readonly direction: 'outbound'
  /** Known from the start: we dialled it. */
  readonly remoteDomain: string
  /** The peer's latest `<stream:features/>`. */
  readonly features: Element | undefined
  /** Authorises one more pair on an established stream, once the peer accepted it (XEP-0220 §2.6). */
  authenticate(local: string, remote: string, mechanism: string): void
  /** Sends a new stream header after SASL success and resolves with the peer's new features. */
  restartStream(): Promise<Element>
}

/** Either side of a stream, as a mechanism sees it; `direction` tells which. */
export type AuthStream = InboundAuthStream | OutboundAuthStream

/**
 * What an outbound mechanism reports: authenticated, not usable here, or refused by the peer. Only
 * `authenticated` ends the search; the others let the next mechanism try.
 */
export type AuthOutcome =
  | { readonly status: 'authenticated' }
  /** The mechanism is not usable here (not offered, no certificate...); the next one is tried. */
  | { readonly status: 'unavailable'; readonly reason: string }
  /** The mechanism ran and the peer refused; the next one may still be tried. */
  | { readonly status: 'failed'; readonly reason: string }

/**
 * An outbound stream that is secured and not authenticated, lent to a mechanism
 * for an exchange of its own (dialback's `db:verify`, XEP-0220 §2.3): it can write,
 * wait for an answer and close, and nothing else.
 */
export interface VerificationStream {
  readonly phase: StreamPhase
  readonly streamId: string
  readonly localDomain: string
  readonly remoteDomain: string | undefined
  /** Writes one element, such as the `db:verify` request. */
  send(element: Element): void
  /** The next top-level element `match` accepts, such as the peer's `db:verify` answer; rejects on timeout or close. */
  nextElement(match: (element: Element) => boolean, timeoutMs: number): Promise<Element>
  /** Closes the stream once the exchange is over; it carries no stanzas. */
  close(): Promise<unknown>
  /** Settles once the stream is gone (the connection's resources with it). */
  readonly closed: Promise<unknown>
}

/** What a host lends its auth mechanisms beyond one stream. */
export interface AuthComponents {
  /**
   * Opens a stream from `localDomain` to `remoteDomain`, resolved and secured like any
   * outbound stream but not authenticated: dialback's receiving role reaches the
   * authoritative server over it (XEP-0220 §2.3).
   */
  openVerificationStream(localDomain: string, remoteDomain: string): Promise<VerificationStream>
}

/**
 * An s2s authentication method. Mechanisms are tried in the order the host
 * lists them, like Prosody's `s2sout-authenticate` chain: the first that
 * authenticates wins.
 */
export interface AuthMechanism {
  /** Reported in `authenticated` events and logs, e.g. `EXTERNAL` or `dialback`. */
  readonly name: string
  /** Called once by the composing host before any stream runs. */
  start?(components: AuthComponents): void
  /** Inbound, after TLS (or when TLS is off): add this mechanism to the features offered. */
  advertise?(stream: InboundAuthStream, features: Element): void
  /** Outbound: the peer's features arrived; authenticate the stream's pair, or say why not. */
  authenticate?(stream: OutboundAuthStream, features: Element): Promise<AuthOutcome>
  /**
   * Outbound, on an established stream: authorise one more pair (XEP-0220 §2.6
   * piggybacking). Mechanisms that cannot leave it out.
   */
  addPair?(stream: OutboundAuthStream, local: string, remote: string): Promise<void>
  /** A top-level element that is neither a stanza nor the stream's own negotiation. Return true when handled. */
  handle?(stream: AuthStream, element: Element): boolean
}
