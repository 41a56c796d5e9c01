import type { StanzaErrorCondition } from '@xmpp-federation/stream'
import type { Element } from 'ltx'

/** One stanza that was not delivered, and whether its sender got an error stanza. */
export interface BounceEvent {
  readonly stanza: Element
  readonly condition: StanzaErrorCondition
  readonly reason: string
  /** outbound: a stanza our host sent; inbound: one a remote server sent us. */
  readonly direction: 'outbound' | 'inbound'
  /** The error stanza sent back, or undefined where RFC 6120/6121 forbid one (errors, most presence). */
  readonly returned: Element | undefined
}

/** A stream with a remote domain changed state; the `session` event carries it. */
export interface SessionEvent {
  readonly direction: 'outbound' | 'inbound'
  readonly local: string
  readonly remote: string
  readonly state: 'established' | 'closed' | 'failed'
  readonly mechanism?: string
  /** XEP-0288: the stream carries stanzas both ways. */
  readonly bidi?: boolean
  readonly error?: Error
}

/** Which domain pair a stanza arrived over, passed with the `stanza` event. */
export interface InboundStanzaInfo {
  readonly localDomain: string
  readonly remoteDomain: string
}
