import type { DomainStatus, FederationStatus } from '@xmpp-federation/router'
import { addSample, type Labels, metricFamily, renderFamilies } from './prometheus-format.js'
import { roundTripMs } from './round-trip.js'

const FEDERATION_STATES = ['new', 'running', 'stopping', 'stopped'] as const

/**
 * The live status as Prometheus text (exposition format 0.0.4), ready to serve on /metrics
 * with PROMETHEUS_CONTENT_TYPE. Labels: remote and local domain, direction. The stanza
 * counters come from the status' running `totals`, labelled by remote domain only, so they
 * never go down; a status without totals (an older host) falls back to summing the open
 * streams, labelled also by local domain, direction and mechanism. Streams that share labels
 * are summed.
 */
export function renderPrometheus(status: FederationStatus): string {
  const up = metricFamily('xmpp_federation_up', 'gauge', '1 while the federation is running')
  const state = metricFamily(
    'xmpp_federation_state',
    'gauge',
    'The federation lifecycle state (1 for the current one)',
  )
  const sessions = metricFamily(
    'xmpp_federation_sessions',
    'gauge',
    'Streams with a remote domain, by state and authentication mechanism',
  )
  const queued = metricFamily(
    'xmpp_federation_queued_stanzas',
    'gauge',
    'Stanzas waiting for an outbound session to a remote domain',
  )
  const unacknowledged = metricFamily(
    'xmpp_federation_unacknowledged_stanzas',
    'gauge',
    'Stanzas written to a remote domain and not yet acknowledged (XEP-0198)',
  )
  const received = metricFamily(
    'xmpp_federation_stanzas_received_total',
    'counter',
    'Stanzas received from a remote domain since the federation started',
  )
  const sent = metricFamily(
    'xmpp_federation_stanzas_sent_total',
    'counter',
    'Stanzas sent to a remote domain since the federation started',
  )
  const roundTrip = metricFamily(
    'xmpp_federation_round_trip_seconds',
    'gauge',
    'XEP-0199 ping round-trip time of a stream, when measured',
    'max',
  )
  const certificateExpiry = metricFamily(
    'xmpp_federation_peer_certificate_not_after_seconds',
    'gauge',
    'Expiry of the certificate a remote domain presented, as a Unix timestamp (the earliest when several)',
    'min',
  )
  const untrusted = metricFamily(
    'xmpp_federation_peer_certificate_untrusted',
    'gauge',
    'Streams whose peer certificate does not chain to a trusted CA',
  )
  const lastError = metricFamily(
    'xmpp_federation_last_error_timestamp_seconds',
    'gauge',
    'When the last outbound failure with a remote domain happened, as a Unix timestamp, by condition',
    'max',
  )

  addSample(up, {}, status.state === 'running' ? 1 : 0)
  for (const name of FEDERATION_STATES) addSample(state, { state: name }, status.state === name ? 1 : 0)
  for (const domain of status.domains) {
    const where = streamLabels(domain)
    const how = { ...where, mechanism: domain.authMechanism ?? 'none' }
    addSample(sessions, { ...how, state: domain.state }, 1)
    if (domain.direction === 'outbound') addSample(queued, where, domain.queued)
    // Older hosts do not report acknowledgements (XEP-0198).
    addSample(unacknowledged, where, domain.unacknowledged ?? 0)
    // Hosts without running totals only have the open streams' counts (which drop as streams close).
    if (!status.totals) {
      addSample(received, how, domain.stanzasIn)
      addSample(sent, how, domain.stanzasOut)
    }
    const rtt = roundTripMs(domain)
    if (rtt !== undefined) addSample(roundTrip, where, rtt / 1000)
    const certificate = domain.peerCertificate
    if (certificate) {
      const notAfter = Date.parse(certificate.validTo)
      if (!Number.isNaN(notAfter)) addSample(certificateExpiry, where, Math.floor(notAfter / 1000))
      addSample(untrusted, where, certificate.trusted ? 0 : 1)
    }
    if (domain.lastError) {
      const at = Date.parse(domain.lastError.at)
      const labels = { ...where, condition: domain.lastError.condition }
      if (!Number.isNaN(at)) addSample(lastError, labels, Math.floor(at / 1000))
    }
  }
  for (const { remote, stanzasIn, stanzasOut } of status.totals ?? []) {
    addSample(received, { remote }, stanzasIn)
    addSample(sent, { remote }, stanzasOut)
  }
  return renderFamilies([
    up,
    state,
    sessions,
    queued,
    unacknowledged,
    received,
    sent,
    roundTrip,
    certificateExpiry,
    untrusted,
    lastError,
  ])
}

function streamLabels(domain: DomainStatus): Labels {
  return { remote: domain.remote, local: domain.local, direction: domain.direction }
}
