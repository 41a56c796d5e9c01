import type { BounceEvent, Federation, SessionEvent } from '@xmpp-federation/router'
import type { Element } from 'ltx'
import type { Inbox } from './inbox.js'
import type { GatewayLog } from './log.js'
import { refusedEntry } from './stanzas.js'

/**
 * One log line per federation event: sessions with their mechanism and TLS
 * version, bounces with their condition, policy refusals with their reason.
 */
export function logFederationEvents(
  federation: Federation,
  log: GatewayLog,
  inbox: Inbox,
  ownBounces: WeakSet<Element>,
): void {
  federation.on('session', (event) => logSession(federation, log, event))
  federation.on('bounce', (event) => {
    logBounce(log, event)
    // Its error stanza (for our sender) is handled once, by the gateway's own bounce handler.
    if (event.returned) ownBounces.add(event.returned)
    // Refusals that RFC 6121 forbids answering with an error stanza (most
    // presence) still reach the sender's inbox, so nothing vanishes unseen.
    if (event.direction === 'outbound' && !event.returned) {
      inbox.add(refusedEntry(event.stanza, event.condition, event.reason))
    }
  })
  federation.on('decision', ({ check, remote, decision }) => {
    if (decision.allowed) return
    log.event('policy', `refused (${check}) ${remote}: ${decision.code}, ${decision.reason}`, {
      check,
      remote,
      code: decision.code,
      condition: decision.condition,
    })
  })
  federation.on('cluster', (event) => {
    const { type, ...fields } = event
    const level = type === 'redis-unavailable' || type === 'no-federation-node' ? 'warn' : 'info'
    log.event('cluster', `${type} ${describeFields(fields)}`.trim(), { type, ...fields }, level)
  })
  federation.on('error', (error) => log.event('gateway', `federation error: ${error.message}`, {}, 'error'))
}

function logSession(federation: Federation, log: GatewayLog, event: SessionEvent): void {
  const arrow = event.direction === 'outbound' ? '→' : '←'
  const pair = `${event.direction} ${event.local} ${arrow} ${event.remote}`
  const fields = { direction: event.direction, local: event.local, remote: event.remote, state: event.state }
  if (event.state === 'established') {
    const facts = federation
      .status()
      .domains.find(
        (d) => d.direction === event.direction && d.local === event.local && d.remote === event.remote,
      )
    const tls = facts?.tlsVersion ?? 'no TLS'
    const where = facts?.target ? `, ${facts.target}` : ''
    const both = event.bidi ? ', both directions (XEP-0288)' : ''
    log.event(
      'session',
      `${pair} established (${event.mechanism ?? 'unauthenticated'}, ${tls}${where}${both})`,
      { ...fields, mechanism: event.mechanism, tlsVersion: facts?.tlsVersion, bidi: event.bidi },
    )
    return
  }
  const reason = event.error ? `: ${event.error.message}` : ''
  log.event(
    'session',
    `${pair} ${event.state}${reason}`,
    { ...fields, error: event.error?.message },
    event.state === 'failed' ? 'warn' : 'info',
  )
}

function logBounce(log: GatewayLog, event: BounceEvent): void {
  const { stanza, condition, reason, direction } = event
  const returned = event.returned ? 'error returned to sender' : 'no error stanza (RFC 6121)'
  log.event(
    'bounce',
    `${direction === 'outbound' ? 'out' : 'in'} ${stanza.name} ${stanza.attrs.from} → ${stanza.attrs.to}: ${condition} (${reason}); ${returned}`,
    {
      direction,
      stanza: stanza.name,
      from: stanza.attrs.from,
      to: stanza.attrs.to,
      id: stanza.attrs.id,
      condition,
      reason,
    },
    'warn',
  )
}

function describeFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')
}
