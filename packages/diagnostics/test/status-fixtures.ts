import type { DomainStatus, FederationStatus } from '../src/index.js'

export function domainStatus(overrides: Partial<DomainStatus> = {}): DomainStatus {
  return {
    remote: 'a.test',
    local: 'c.test',
    direction: 'outbound',
    state: 'established',
    authMechanism: 'EXTERNAL',
    tlsVersion: 'TLSv1.3',
    peerCertificate: { subject: 'CN=a.test', validTo: 'Jan  1 00:00:00 2031 GMT', trusted: true },
    queued: 0,
    unacknowledged: 0,
    stanzasIn: 0,
    stanzasOut: 12,
    lastError: undefined,
    target: '127.0.0.2:5269',
    ...overrides,
  }
}

export function federationStatus(
  domains: DomainStatus[],
  state: FederationStatus['state'] = 'running',
): FederationStatus {
  return { state, localDomains: ['c.test'], domains }
}
