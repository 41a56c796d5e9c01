import { createDomainTable } from './domain-match.js'
import type { DomainLimits, DomainOverride, PolicyInput, SecuritySettings } from './types.js'

/** Everything that varies per remote domain, fully resolved. */
export interface DomainSettings {
  readonly security: SecuritySettings
  readonly limits: DomainLimits
  /** A WebEx Messenger peer (see webex-invites.ts). */
  readonly webex: boolean
}

/**
 * Answers what applies to one remote domain: the global settings with the most specific override merged in.
 */
export interface DomainSettingsResolver {
  /** The settings for `remote`; a fresh object each call, safe to keep. */
  resolve(remote: string): DomainSettings
}

/**
 * Per-domain settings cascade field by field, like CSS: global defaults, then every
 * matching wildcard from the shortest to the longest, then the exact entry. The most
 * specific entry that sets a field wins that field; fields it leaves unset come from
 * the next less specific entry. So `*.example.com: { tls: 'required' }` plus
 * `old.example.com: { dialback: true }` keeps TLS required for old.example.com:
 * an exact entry never weakens what a wildcard set unless it says so.
 *
 * `webexDomains` entries take part as `{ webex: true }` at their own pattern; an
 * explicit `domains` entry with the same key comes after them and so wins.
 */
export function createDomainSettings(input: {
  security: SecuritySettings
  policy: Pick<PolicyInput['policy'], 'domains' | 'limits' | 'webexDomains'>
}): DomainSettingsResolver {
  const webexLayers = input.policy.webexDomains.map((entry) => [entry, { webex: true }] as const)
  const table = createDomainTable<DomainOverride>([...webexLayers, ...Object.entries(input.policy.domains)])

  return {
    resolve(remote) {
      const security = { ...input.security, saslExternal: { ...input.security.saslExternal } }
      const limits = { ...input.policy.limits }
      let webex = false
      const leastSpecificFirst = table.matches(remote).reverse()
      for (const match of leastSpecificFirst) {
        for (const layer of match.values) {
          applyOverride(security, limits, layer)
          if (layer.webex !== undefined) webex = layer.webex
        }
      }
      return { security, limits, webex }
    },
  }
}

function applyOverride(security: SecuritySettings, limits: DomainLimits, layer: DomainOverride): void {
  if (layer.tls !== undefined) security.tls = layer.tls
  if (layer.requireValidCertificate !== undefined) {
    security.requireValidCertificate = layer.requireValidCertificate
  }
  if (layer.dialback !== undefined) security.dialback = layer.dialback
  if (layer.saslExternal?.inbound !== undefined) security.saslExternal.inbound = layer.saslExternal.inbound
  if (layer.saslExternal?.outbound !== undefined) security.saslExternal.outbound = layer.saslExternal.outbound
  for (const field of LIMIT_FIELDS) {
    const value = layer.limits?.[field]
    if (value !== undefined) limits[field] = value
  }
}

const LIMIT_FIELDS = [
  'maxStanzaBytes',
  'stanzasPerSecond',
  'burst',
  'maxStreams',
] as const satisfies readonly (keyof DomainLimits)[]
