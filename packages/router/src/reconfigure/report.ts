import {
  differingPaths,
  type FederationConfig,
  flattenSettings,
  isSecretPath,
  maskSecret,
  secretFingerprint,
} from '@xmpp-federation/config'
import type { StreamErrorCondition } from '@xmpp-federation/stream'

/** One setting a reload changed, by dotted path (`policy.deny`, `tls.cert`); secrets masked. */
export interface SettingChange {
  readonly path: string
  /** The old value; absent when the setting was not set. */
  readonly before: unknown
  /** The new value; absent when the setting is no longer set. */
  readonly after: unknown
}

/** A live stream the new configuration forbade, closed with a stream error. */
export interface ClosedStream {
  readonly direction: 'inbound' | 'outbound'
  readonly local: string
  readonly remote: string
  /** The stream error it was closed with: `policy-violation`, `host-unknown`, `system-shutdown`. */
  readonly condition: StreamErrorCondition
  readonly reason: string
}

/** What `federation.reconfigure()` resolves with and emits as the `reconfigured` event. */
export interface ReconfigureReport {
  /** Every setting that differs, in path order. */
  readonly changed: readonly SettingChange[]
  /** The streams closed because the new configuration forbids them (the others stay up). */
  readonly closed: readonly ClosedStream[]
  /** Stanzas that waited for a closed stream and were bounced (each also a `bounce` event). */
  readonly bounced: number
  /** True when the new configuration is the one already running: nothing was touched. */
  readonly unchanged: boolean
  /** What the reload could not apply and why (e.g. a policy object the host supplied). */
  readonly notes: readonly string[]
  /**
   * Cluster mode, on the node `reconfigure()` was called on: the cluster configuration version
   * the change became, for every node to apply (`cluster` events say how each did); or why it
   * could not be published, in which case only this node runs it.
   */
  readonly cluster?: { readonly version: number } | { readonly error: string }
}

/** The settings that differ between two configurations, secrets shown only as short fingerprints. */
export function settingChanges(before: FederationConfig, after: FederationConfig): SettingChange[] {
  const flat = [flattenSettings(comparable(before)), flattenSettings(comparable(after))] as const
  return differingPaths(flat).map((path) => {
    const mask = isSecretPath(path) ? maskSecret : (value: unknown) => value
    return { path, before: mask(flat[0].get(path)), after: mask(flat[1].get(path)) }
  })
}

/** The config as plain data, the dialback secret replaced by its fingerprint before anything sees it. */
function comparable(config: FederationConfig): Record<string, unknown> {
  const { dialback, ...rest } = config
  const data: Record<string, unknown> = structuredClone(rest)
  if (dialback) data.dialback = { secret: secretFingerprint(dialback.secret) }
  return data
}
