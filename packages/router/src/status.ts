import type { InboundSession, S2SSession, ThrottledAddress } from '@xmpp-federation/stream'
import type { ClusterStatus } from './cluster-port.js'
import type { OutboundLink } from './outbound-link.js'
import type { DomainTotals } from './traffic-totals.js'

/** Live state of the streams with one remote domain (one entry per direction and domain pair). */
export interface DomainStatus {
  readonly remote: string
  readonly local: string
  readonly direction: 'outbound' | 'inbound'
  readonly state:
    | 'idle'
    | 'connecting'
    | 'authenticating'
    | 'admitting'
    | 'established'
    | 'backing-off'
    | 'closing'
  readonly authMechanism: string | undefined
  readonly tlsVersion: string | undefined
  readonly peerCertificate: { subject: string | undefined; validTo: string; trusted: boolean } | undefined
  readonly queued: number
  /** XEP-0198: stanzas written and not yet acknowledged by the peer. */
  readonly unacknowledged: number
  readonly stanzasIn: number
  readonly stanzasOut: number
  readonly lastError: { condition: string; message: string; at: string } | undefined
  /** Round trip of the last XEP-0199 ping (`federation.ping`), in ms. */
  readonly rttMs: number | undefined
  /** Where an outbound stream connected (host:port, direct TLS or not), or that it rides the peer's stream. */
  readonly target: string | undefined
  /** XEP-0288: the stream carries stanzas both ways. */
  readonly bidi: boolean
  /** XEP-0198: stream management is enabled on the stream (optional: older snapshots lack it). */
  readonly streamManagement?: boolean
}

/** What Federation.status() returns: the federation's state and one entry per link or inbound stream. */
export interface FederationStatus {
  readonly state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped'
  readonly localDomains: readonly string[]
  readonly domains: readonly DomainStatus[]
  /**
   * Remote addresses refused now for opening connections too fast (the listeners' per-address rate).
   * Absent from the status of routers older than this field.
   */
  readonly throttled?: readonly ThrottledAddress[]
  /**
   * Stanzas per remote domain since the federation started, over every stream it had: unlike
   * the per-stream `stanzasIn`/`stanzasOut` of `domains`, these never go down when a stream
   * closes. Absent from hosts that predate them.
   */
  readonly totals?: readonly DomainTotals[]
  /** Cluster mode only: nodes, route leases and outbox depths, as of the last heartbeat. */
  readonly cluster?: ClusterStatus
}

export function outboundStatus(link: OutboundLink): DomainStatus {
  const session = link.session
  return {
    ...sessionFacts(session),
    remote: link.remoteDomain,
    local: link.localDomain,
    direction: 'outbound',
    state: link.state,
    queued: link.queued.stanzas,
    lastError: link.lastError && {
      condition: link.lastError.condition,
      message: link.lastError.message,
      at: new Date(link.lastError.at).toISOString(),
    },
    rttMs: link.rttMs,
    target: link.target
      ? `${link.target.host}:${link.target.port}${link.target.directTls ? ' (direct TLS)' : ''}`
      : session?.direction === 'inbound'
        ? 'the stream the peer opened (XEP-0288)'
        : undefined,
  }
}

export function inboundStatus(session: InboundSession): DomainStatus {
  const pair = session.authenticatedPairs[0]
  return {
    ...sessionFacts(session),
    remote: pair?.remote ?? session.remoteDomain ?? '',
    local: pair?.local ?? session.localDomain,
    direction: 'inbound',
    state:
      session.phase === 'established'
        ? 'established'
        : session.phase === 'negotiating'
          ? 'authenticating'
          : 'closing',
    queued: 0,
    lastError: undefined,
    rttMs: undefined,
    target: undefined,
  }
}

function sessionFacts(session: S2SSession | undefined) {
  const certificate = session?.tls?.peerCertificate
  return {
    authMechanism: session?.authenticatedPairs[0]?.mechanism,
    tlsVersion: session?.tls?.protocol ?? undefined,
    peerCertificate: certificate && {
      subject: certificate.subject,
      validTo: certificate.validTo,
      trusted: certificate.trusted,
    },
    unacknowledged: session?.unacknowledgedCount ?? 0,
    bidi: session?.bidi ?? false,
    streamManagement: session?.sm?.enabled ?? false,
    stanzasIn: session?.stats.stanzasIn ?? 0,
    stanzasOut: session?.stats.stanzasOut ?? 0,
  }
}
