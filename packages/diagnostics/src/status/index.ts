// The router's shapes, so that readers of the status need no dependency on the router.
export type { DomainStatus, FederationStatus } from '@xmpp-federation/router'
export {
  type AssessOptions,
  assessStatus,
  type DomainAssessment,
  type StatusAssessment,
  type StatusCode,
  type StatusFinding,
} from './assess-status.js'
export { type FetchStatusOptions, fetchStatus, statusUrl } from './fetch-status.js'
export { fetchStatusDocument } from './fetch-status-document.js'
export { renderPrometheus } from './prometheus.js'
export { PROMETHEUS_CONTENT_TYPE } from './prometheus-format.js'
export { roundTripMs } from './round-trip.js'
export { asFederationStatus, StatusFetchError } from './status-shape.js'
