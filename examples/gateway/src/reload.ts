import { ConfigError, type FederationConfigInput, parseConfig } from '@xmpp-federation/config'
import type { Federation, ReconfigureReport } from '@xmpp-federation/router'
import type { GatewayLog } from './log.js'

/** Where the gateway's configuration comes from again: main.ts re-reads its file. */
export type ConfigSource = () => Promise<FederationConfigInput>

/** Re-reads the configuration and applies it live; what changed (or why not) goes to the log too. */
export function configReloader(
  federation: Federation,
  source: ConfigSource,
  log: GatewayLog,
): () => Promise<ReconfigureReport> {
  return async () => {
    try {
      const input = await source()
      const config = parseConfig(input)
      if (config.emailForFederation.enabled) {
        throw new ConfigError([
          {
            code: 'CONFLICT',
            path: 'emailForFederation.enabled',
            message: 'the gateway has no user directory to map addresses with',
          },
        ])
      }
      const report = await federation.reconfigure(config)
      const notes = config.http === undefined ? [] : ['the gateway keeps its HTTP address until restarted']
      log.event(
        'reload',
        report.unchanged
          ? 'configuration reloaded: nothing changed'
          : `configuration reloaded: ${report.changed.map((change) => change.path).join(', ')} changed; ${report.closed.length} streams closed, ${report.bounced} stanzas bounced`,
        {
          changed: report.changed,
          closed: report.closed,
          bounced: report.bounced,
          notes: [...report.notes, ...notes],
        },
      )
      return report
    } catch (error) {
      log.event(
        'reload',
        `configuration refused, the old one keeps serving: ${(error as Error).message}`,
        {},
        'warn',
      )
      throw error
    }
  }
}
