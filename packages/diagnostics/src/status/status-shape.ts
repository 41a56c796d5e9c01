import type { DomainStatus, FederationStatus } from '@xmpp-federation/router'

/** Thrown when a status endpoint cannot be reached or answers something else than a FederationStatus. */
export class StatusFetchError extends Error {
  override readonly name = 'StatusFetchError'
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Checks the fields the diagnostics read; anything else the router adds passes through. */
export function asFederationStatus(value: unknown, source: string): FederationStatus {
  if (!isObject(value) || typeof value.state !== 'string' || !Array.isArray(value.domains)) {
    throw new StatusFetchError(
      `${source} did not answer a federation status (expected { state, localDomains, domains })`,
    )
  }
  value.domains.forEach((domain, index) => {
    if (!isDomainStatus(domain)) {
      throw new StatusFetchError(`${source}: domains[${index}] lacks remote, direction or state`)
    }
  })
  return {
    ...(value as unknown as FederationStatus),
    localDomains: Array.isArray(value.localDomains) ? (value.localDomains as string[]) : [],
  }
}

function isDomainStatus(value: unknown): value is DomainStatus {
  return (
    isObject(value) &&
    typeof value.remote === 'string' &&
    typeof value.direction === 'string' &&
    typeof value.state === 'string'
  )
}
