import type { DomainStatus } from '@xmpp-federation/router'

/**
 * The XEP-0199 round-trip time of a stream, in milliseconds, when the status reports one
 * (`rttMs`). The router does not measure it yet; readers show it as soon as it does.
 */
export function roundTripMs(domain: DomainStatus): number | undefined {
  const value = (domain as DomainStatus & { rttMs?: unknown }).rttMs
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}
