import type { DomainStatus, FederationStatus } from '@xmpp-federation/router'
import { daysUntil, isoDay } from '../certificates/describe.js'

/** What assessStatus can say about the federation or one domain. */
export type StatusCode =
  | 'NOT_RUNNING'
  | 'ESTABLISHED'
  | 'IDLE'
  | 'IN_PROGRESS'
  | 'BACKING_OFF'
  | 'LAST_ERROR'
  | 'PEER_CERT_UNTRUSTED'
  | 'PEER_CERT_EXPIRED'
  | 'PEER_CERT_EXPIRING'
  | 'NO_FEDERATION_NODE'
  | 'CLUSTER_CONFIG_REFUSED'
  | 'NODE_CONFIG_DIFFERS'

/** One verdict of assessStatus: pass, warn or fail, a code and a message for people. */
export interface StatusFinding {
  status: 'pass' | 'warn' | 'fail'
  code: StatusCode
  message: string
}

/** One row of the live status with the verdict on it. */
export interface DomainAssessment {
  domain: DomainStatus
  /** The worst of the findings. */
  status: 'pass' | 'warn' | 'fail'
  findings: StatusFinding[]
}

/** The verdicts of assessStatus: one for the federation, one per domain. */
export interface StatusAssessment {
  /** True when the federation runs and no domain has a failure. */
  ok: boolean
  federation: StatusFinding
  domains: DomainAssessment[]
  /** Cluster mode: what is wrong across the nodes (empty when all is well, or without a cluster). */
  cluster: StatusFinding[]
}

/** Options of assessStatus: the clock and the certificate expiry window. */
export interface AssessOptions {
  now?: Date
  /** Peer certificates expiring within this many days are a warning. Default 30. */
  expiryDays?: number
}

/** Reads a FederationStatus the way an administrator would: what is fine, what needs a look. */
export function assessStatus(status: FederationStatus, options: AssessOptions = {}): StatusAssessment {
  const now = options.now ?? new Date()
  const expiryDays = options.expiryDays ?? 30
  const federation: StatusFinding =
    status.state === 'running'
      ? { status: 'pass', code: 'ESTABLISHED', message: `federation ${status.state}` }
      : { status: 'fail', code: 'NOT_RUNNING', message: `federation is ${status.state}` }
  const domains = status.domains.map((domain) => assessDomain(domain, now, expiryDays))
  const cluster = assessCluster(status.cluster)
  return {
    ok:
      federation.status === 'pass' &&
      domains.every((domain) => domain.status !== 'fail') &&
      cluster.every((finding) => finding.status !== 'fail'),
    federation,
    domains,
    cluster,
  }
}

/**
 * The seed's cluster rules, read live: at least one node federates (else every send bounces),
 * this node runs the cluster's configuration, and the live nodes agree on it.
 */
function assessCluster(cluster: FederationStatus['cluster']): StatusFinding[] {
  if (!cluster) return []
  const findings: StatusFinding[] = []
  const alive = cluster.nodes.filter((node) => node.alive)
  if (!alive.some((node) => node.enabled)) {
    findings.push({
      status: 'fail',
      code: 'NO_FEDERATION_NODE',
      message:
        'no live node of the cluster has federation enabled: every send bounces (service-unavailable); enable it on at least one node',
    })
  }
  if (cluster.configRefused) {
    findings.push({
      status: 'fail',
      code: 'CLUSTER_CONFIG_REFUSED',
      message: `this node could not apply cluster configuration version ${cluster.configRefused.version} (${cluster.configRefused.reason}); it owns no domain pairs until it does`,
    })
  }
  const differing = alive
    .filter((node) => node.fingerprint !== cluster.fingerprint)
    .map((node) => node.nodeId)
  if (differing.length > 0) {
    findings.push({
      status: 'warn',
      code: 'NODE_CONFIG_DIFFERS',
      message: `live nodes run another configuration than this one: ${differing.join(', ')}`,
    })
  }
  return findings
}

function assessDomain(domain: DomainStatus, now: Date, expiryDays: number): DomainAssessment {
  const findings = [stateFinding(domain), ...certificateFindings(domain, now, expiryDays)]
  const status = findings.some((f) => f.status === 'fail')
    ? 'fail'
    : findings.some((f) => f.status === 'warn')
      ? 'warn'
      : 'pass'
  return { domain, status, findings }
}

function stateFinding(domain: DomainStatus): StatusFinding {
  const error = domain.lastError
    ? `: last error ${domain.lastError.condition} (${domain.lastError.message})`
    : ''
  switch (domain.state) {
    case 'established':
      return {
        status: 'pass',
        code: 'ESTABLISHED',
        message: `established with ${domain.authMechanism ?? 'no auth'}`,
      }
    case 'idle':
    case 'closing':
      return { status: 'pass', code: 'IDLE', message: domain.state }
    case 'backing-off':
      return { status: 'fail', code: 'BACKING_OFF', message: `backing off after a failure${error}` }
    default:
      if (domain.lastError) return { status: 'warn', code: 'LAST_ERROR', message: `${domain.state}${error}` }
      return { status: 'pass', code: 'IN_PROGRESS', message: domain.state }
  }
}

function certificateFindings(domain: DomainStatus, now: Date, expiryDays: number): StatusFinding[] {
  const certificate = domain.peerCertificate
  if (!certificate) return []
  const findings: StatusFinding[] = []
  if (!certificate.trusted) {
    findings.push({ status: 'warn', code: 'PEER_CERT_UNTRUSTED', message: 'peer certificate not trusted' })
  }
  const validTo = new Date(certificate.validTo)
  const days = daysUntil(validTo, now)
  if (validTo < now) {
    findings.push({
      status: 'fail',
      code: 'PEER_CERT_EXPIRED',
      message: `peer certificate expired ${isoDay(validTo)}`,
    })
  } else if (days < expiryDays) {
    const message = `peer certificate expires ${isoDay(validTo)} (${days} days)`
    findings.push({ status: 'warn', code: 'PEER_CERT_EXPIRING', message })
  }
  return findings
}
