import { ConfigError, type FederationConfig, type FederationConfigInput } from '@xmpp-federation/config'
import type { Decision, DomainPolicy } from '@xmpp-federation/policy'
import type {
  AuthMechanism,
  InboundSession,
  Logger,
  S2SSession,
  StreamContext,
  TlsIdentity,
} from '@xmpp-federation/stream'
import { checkAuthCoverage } from '../auth-coverage.js'
import { defaultAuthFactories } from '../default-auth.js'
import { UsageError } from '../errors.js'
import type { OutboundLink } from '../outbound-link.js'
import type { Resolver } from '../resolve/index.js'
import { loadTlsIdentity } from '../tls-identity.js'
import type { ListenerSet, PreparedListeners } from './listeners.js'
import type { LiveParts, LiveSettings } from './live-settings.js'
import { ReconfigureError, type ReconfigureIssue } from './reconfigure-error.js'
import { type ClosedStream, type ReconfigureReport, type SettingChange, settingChanges } from './report.js'
import { type StreamVerdict, type VerdictInputs, verdictFor } from './stream-verdict.js'
import { fileChanges, tlsFileDigests } from './tls-files.js'
import { validateNewConfig } from './validate.js'

/** What the reload needs of the federation: its live settings, its builders and its streams. */
export interface ReconfigureHost {
  readonly live: LiveSettings
  readonly listeners: ListenerSet
  readonly logger: Logger
  /** The host passed its own policy / resolver: they stay, and the report says so. */
  readonly hostPolicy: boolean
  readonly hostResolver: boolean
  state(): 'new' | 'starting' | 'running' | 'stopping' | 'stopped'
  buildPolicy(config: FederationConfig): DomainPolicy
  buildAuth(config: FederationConfig): readonly AuthMechanism[]
  startAuth(auth: readonly AuthMechanism[]): void
  buildContext(
    config: FederationConfig,
    auth: readonly AuthMechanism[],
    tls: TlsIdentity | undefined,
  ): StreamContext
  buildResolver(config: FederationConfig): Resolver
  links(): Iterable<OutboundLink>
  forgetLink(link: OutboundLink): void
  inbound(): Iterable<InboundSession>
  /** The peer software rules' verdict on a domain, from the answers cached so far. */
  software(remote: string): Decision | undefined
  /** Counts `bounce` events until the returned function is called. */
  countBounces(): () => number
  /** Settings held outside the stream context: idle timeout, per-certificate domain limit. */
  retune(config: FederationConfig): void
  reconfigured(report: ReconfigureReport): void
}

/**
 * `federation.reconfigure()`: validates a new configuration whole, prepares everything
 * that can fail (certificates, policy, auth coverage, new listeners bound), and only
 * then swaps it in at once and closes the streams it forbids. One reload at a time.
 */
export class Reconfigurer {
  private running: Promise<unknown> = Promise.resolve()
  private digests: Map<string, string>

  constructor(private readonly host: ReconfigureHost) {
    this.digests = tlsFileDigests(host.live.config)
  }

  reconfigure(input: FederationConfigInput): Promise<ReconfigureReport> {
    const run = this.running.then(() => this.apply(input))
    this.running = run.catch(() => undefined)
    return run
  }

  private async apply(input: FederationConfigInput): Promise<ReconfigureReport> {
    const state = this.host.state()
    if (state === 'stopping' || state === 'stopped' || state === 'starting') {
      // While starting, listeners are being opened from the config in force: await start() first.
      throw new UsageError(`reconfigure() on a federation that is ${state}`)
    }
    const config = validateNewConfig(input)
    const before = this.host.live.config
    const digests = tlsFileDigests(config)
    const changed = [...settingChanges(before, config), ...fileChanges(this.digests, digests)]
    if (changed.length === 0) {
      return this.finish({ changed, closed: [], bounced: 0, unchanged: true, notes: [] })
    }
    const { parts, auth, issues, notes } = this.prepare(config, changed)
    const listeners = issues.length === 0 ? await this.prepareListeners(config) : undefined
    if (listeners && !listeners.ok) issues.push(...listeners.issues)
    // stop() may have begun while the listeners were binding: they must not outlive it.
    const now = this.host.state()
    if (now !== state) {
      if (listeners?.ok) this.host.listeners.rollback(listeners.prepared)
      throw new UsageError(`reconfigure(): the federation went from ${state} to ${now} meanwhile`)
    }
    if (issues.length > 0 || !parts || !listeners?.ok) throw new ReconfigureError(issues)

    const previousPolicy = this.host.live.policy.current
    const previousAuth = this.host.live.context.current.auth
    this.host.live.swap(parts)
    this.digests = digests
    // A host's own ready-made mechanisms come back as the same objects: they are started once only.
    if (auth !== previousAuth)
      this.host.startAuth(auth.filter((mechanism) => !previousAuth.includes(mechanism)))
    this.host.retune(config)
    this.host.listeners.commit(listeners.prepared)
    // Only a new policy, fewer local domains or federation switched off can forbid a live stream.
    const mayForbid =
      parts.policy !== previousPolicy ||
      !config.enabled ||
      changed.some((change) => change.path === 'domains' || change.path === 'emailForFederation.emailDomains')
    const { closed, bounced } = mayForbid
      ? await this.closeForbidden({
          config,
          policy: parts.policy,
          previousPolicy,
          software: (remote) => this.host.software(remote),
        })
      : { closed: [], bounced: 0 }
    return this.finish({ changed, closed, bounced, unchanged: false, notes })
  }

  private finish(report: ReconfigureReport): ReconfigureReport {
    this.host.logger.info(
      {
        changed: report.changed.map((change) => change.path),
        closed: report.closed.length,
        bounced: report.bounced,
      },
      report.unchanged ? 'configuration reloaded: nothing changed' : 'configuration reloaded',
    )
    this.host.reconfigured(report)
    return report
  }

  /** Builds everything the new configuration needs, collecting every failure instead of stopping at one. */
  private prepare(
    config: FederationConfig,
    changed: readonly SettingChange[],
  ): { parts?: LiveParts; auth: readonly AuthMechanism[]; issues: ReconfigureIssue[]; notes: string[] } {
    const live = this.host.live
    const issues: ReconfigureIssue[] = []
    const notes: string[] = []
    const attempt = <T>(path: string, code: ReconfigureIssue['code'], build: () => T): T | undefined => {
      try {
        return build()
      } catch (error) {
        if (error instanceof ConfigError) issues.push(...error.issues)
        else issues.push({ code, path, message: (error as Error).message })
        return undefined
      }
    }
    const tls = attempt('tls', 'TLS_FAILED', () => loadTlsIdentity(config))
    const touches = (prefix: string) => changed.some((change) => change.path.startsWith(prefix))
    let policy: DomainPolicy | undefined = live.policy.current
    if (this.host.hostPolicy) {
      if (touches('policy') || touches('security') || touches('emailForFederation')) {
        notes.push('policy settings changed, but the host supplied its own policy (options.policy): it stays')
      }
    } else if (POLICY_INPUTS.some(touches)) {
      // Rebuilt only when its inputs changed: a new policy starts its rate limiters over.
      policy = attempt('policy', 'BUILD_FAILED', () => this.host.buildPolicy(config))
    }
    const auth =
      authInputs(config) === authInputs(live.config)
        ? live.context.current.auth
        : attempt('dialback', 'BUILD_FAILED', () => this.host.buildAuth(config))
    if (auth) attempt('security', 'NO_AUTH_METHOD', () => checkAuthCoverage(config, auth))
    const context =
      auth && issues.length === 0
        ? attempt('tls', 'BUILD_FAILED', () => this.host.buildContext(config, auth, tls))
        : undefined
    let resolver: Resolver | undefined = live.resolver.current
    if (this.host.hostResolver) {
      if (touches('routes') || touches('dns')) {
        notes.push('routes/dns changed, but the host supplied its own resolver (options.resolver): it stays')
      }
    } else if (touches('routes') || touches('dns')) {
      resolver = attempt('routes', 'BUILD_FAILED', () => this.host.buildResolver(config))
    }
    const parts =
      issues.length === 0 && policy && context && resolver ? { config, policy, context, resolver } : undefined
    return { parts, auth: auth ?? live.context.current.auth, issues, notes }
  }

  /** Binds the listeners the new configuration adds (only once running: start() opens them otherwise). */
  private async prepareListeners(
    config: FederationConfig,
  ): Promise<{ ok: true; prepared: PreparedListeners } | { ok: false; issues: ReconfigureIssue[] }> {
    if (this.host.state() !== 'running') return { ok: true, prepared: { added: new Map(), removed: [] } }
    return this.host.listeners.prepare(config.enabled ? config.listen : [])
  }

  /** Closes the streams the new settings forbid, with their stream error; what waited on them bounces. */
  private async closeForbidden(inputs: VerdictInputs): Promise<{ closed: ClosedStream[]; bounced: number }> {
    const closed: ClosedStream[] = []
    const closing: Promise<unknown>[] = []
    const handled = new Set<S2SSession>()
    const bounces = this.host.countBounces()
    const record = (session: S2SSession | undefined, local: string, remote: string, verdict: StreamVerdict) =>
      closed.push({
        direction: session?.direction ?? 'outbound',
        local,
        remote,
        condition: verdict.condition,
        reason: verdict.reason,
      })
    for (const link of [...this.host.links()]) {
      const { localDomain: local, remoteDomain: remote, session } = link
      const mechanism = session?.authenticatedPairs.find(
        (p) => p.local === local && p.remote === remote,
      )?.mechanism
      const verdict = verdictFor({ local, remote, mechanism }, session, 'outbound', inputs)
      if (!verdict) continue
      if (session) {
        handled.add(session)
        record(session, local, remote, verdict)
      }
      this.host.forgetLink(link)
      closing.push(link.stop(verdict.reason, verdict))
    }
    for (const session of [...this.host.inbound()]) {
      if (handled.has(session)) continue
      const verdicts = session.authenticatedPairs.map((pair) => ({
        pair,
        verdict: verdictFor(pair, session, 'inbound', inputs),
      }))
      const forbidding = verdicts.find(({ verdict }) => verdict)?.verdict
      if (!forbidding) continue
      // One stream, one error: a pair still allowed is reopened by the peer on a new stream.
      for (const { pair, verdict } of verdicts)
        record(session, pair.local, pair.remote, verdict ?? forbidding)
      closing.push(session.close(forbidding.condition, forbidding.reason))
    }
    const bounced = bounces()
    await Promise.allSettled(closing)
    return { closed, bounced }
  }
}

/** The settings createDomainPolicy reads. */
const POLICY_INPUTS = ['policy', 'security', 'emailForFederation', 'domains']

/** What the default auth mechanisms are built from: when it changes, they are rebuilt. */
function authInputs(config: FederationConfig): string {
  return JSON.stringify([config.dialback?.secret ?? null, defaultAuthFactories(config).length])
}
