import type { Element } from 'ltx'
import type { S2SSession } from './session.js'

/**
 * The extension point through which s2s authentication methods plug into a
 * stream: SASL EXTERNAL (this package) and Server Dialback
 * (`@xmpp-federation/dialback`) implement it; the stream code knows neither.
 *
 * Mechanisms are tried in the order the host lists them, like Prosody's
 * `s2sout-authenticate` chain: the first one that authenticates wins.
 */
export interface AuthMechanism {
  /** Reported in `authenticated` events and logs, e.g. `EXTERNAL` or `dialback`. */
  readonly name: string

  /**
   * Called once by the composing host (the router) before any stream runs,
   * with what a mechanism may need beyond a single stream.
   */
  start?(components: AuthComponents): void

  /**
   * Inbound, after TLS negotiation (or when TLS is off): add this mechanism's
   * advertisement to the `<stream:features/>` being sent to the peer.
   */
  advertise?(session: S2SSession, features: Element): void

  /**
   * Outbound: the peer's features have arrived; authenticate the stream's
   * (local, remote) domain pair, or say why this mechanism cannot.
   * `features` is empty for a pre-1.0 peer that sends none.
   */
  authenticate?(session: S2SSession, features: Element): Promise<AuthOutcome>

  /**
   * Any top-level element that is not a stanza and that the stream itself
   * does not negotiate (e.g. `db:result`, `db:verify`). Return true when handled.
   */
  handle?(session: S2SSession, element: Element): boolean
}

export type AuthOutcome =
  | { readonly status: 'authenticated' }
  /** The mechanism is not usable here (not offered, no certificate...); try the next one. */
  | { readonly status: 'unavailable'; readonly reason: string }
  /** The mechanism ran and the peer refused; the next one may still be tried. */
  | { readonly status: 'failed'; readonly reason: string }

/** A (local domain, remote domain) pair authorised on a stream, and how. */
export interface AuthenticatedPair {
  readonly local: string
  readonly remote: string
  readonly mechanism: string
}

/** What a host lends its auth mechanisms (libp2p-style components). */
export interface AuthComponents {
  /**
   * Opens a stream from `localDomain` to `remoteDomain`, resolved and secured
   * like any outbound stream but not authenticated: dialback's receiving
   * server uses it to reach the authoritative server (XEP-0220 §2.3).
   */
  openVerificationStream(localDomain: string, remoteDomain: string): Promise<S2SSession>
}
