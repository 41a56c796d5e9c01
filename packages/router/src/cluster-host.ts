import type { FederationConfig } from '@xmpp-federation/config'
import { ConfigError } from '@xmpp-federation/config'
import type { DomainPolicy } from '@xmpp-federation/policy'
import { domainOfAddress, type Logger, type StanzaErrorCondition } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import type { ClusterEvent, ClusterHost } from './cluster-port.js'
import type { OutboundLink } from './outbound-link.js'
import type { PendingStanza } from './queue.js'
import type { InboundStanzaInfo } from './types.js'

/** The parts of a Federation its cluster may reach, as closures (the Federation keeps them private). */
export interface ClusterHostParts {
  readonly config: FederationConfig
  readonly logger: Logger
  readonly policy: DomainPolicy
  readonly links: Map<string, OutboundLink>
  linkKey(local: string, remote: string): string
  linkFor(local: string, remote: string): OutboundLink
  bounceOutbound(item: PendingStanza, condition: StanzaErrorCondition, reason: string): void
  deliverLocally(stanza: Element, info: InboundStanzaInfo): void
  settlesRequest(stanza: Element): boolean
  routeInbound(stanza: Element, info: InboundStanzaInfo): void
  emitCluster(event: ClusterEvent): void
  emitResend(local: string, remote: string, count: number): void
}

/** Builds what a Federation lends its cluster (see ClusterHost). */
export function clusterHost(parts: ClusterHostParts): ClusterHost {
  return {
    config: parts.config,
    logger: parts.logger,
    write(local, remote, item) {
      const existing = parts.links.get(parts.linkKey(local, remote))
      if (existing) {
        existing.send(item)
        return
      }
      // As in a single node: the policy is asked when a link is made, and a refusal bounces.
      const verdict = parts.policy.checkDomain(remote)
      if (!verdict.allowed) item.durable?.bounced(verdict.condition, verdict.reason)
      else parts.linkFor(local, remote).send(item)
    },
    async abandon(local, remote) {
      const key = parts.linkKey(local, remote)
      const link = parts.links.get(key)
      if (!link) return
      parts.links.delete(key)
      // Its durable stanzas come back through DurableStanza.bounced, which the cluster ignores now.
      await link.stop('route lease lost')
    },
    bounce: (item, condition, reason) => parts.bounceOutbound(item, condition, reason),
    deliver: (stanza, info) => parts.deliverLocally(stanza, info),
    answer(stanza, info) {
      if (!parts.settlesRequest(stanza)) parts.routeInbound(stanza, info)
    },
    emitCluster: (event) => parts.emitCluster(event),
    emitResend: (local, remote, count) => parts.emitResend(local, remote, count),
  }
}

/** Which pair an inbound stanza travels on, from its (stream-checked) addresses. */
export function inboundInfo(stanza: Element): InboundStanzaInfo {
  return {
    localDomain: domainOfAddress(stanza.attrs.to ?? '') ?? '',
    remoteDomain: domainOfAddress(stanza.attrs.from ?? '') ?? '',
  }
}

/**
 * Cluster mode keys dialback with one secret on every node, so that any node can answer a
 * peer's db:verify: a random per-process secret (the default without one) would fail there.
 */
export function assertClusterConfig(config: FederationConfig, dialbackInUse: boolean): void {
  if (!dialbackInUse || config.dialback?.secret) return
  throw new ConfigError([
    {
      code: 'MISSING_VALUE',
      path: 'dialback.secret',
      message: 'a cluster needs one dialback secret shared by every node (any node may answer db:verify)',
      fix: 'set dialback.secret to the same long random value on every node',
    },
  ])
}
