import type { AuthMechanism } from './auth.js'
import { requireDomain } from './domain.js'
import { type Logger, type LoggerOption, resolveLogger } from './logger.js'
import { OutputBudget } from './output-budget.js'
import type { SecurityPolicy, TlsIdentity } from './security.js'
import { DEFAULT_STREAM_MANAGEMENT, type StreamManagementOptions } from './stream-management.js'

/** Size and count bounds for the streams of a context: what one peer may make us parse, buffer and hold. */
export interface StreamLimits {
  /** Raw bytes of one top-level element; advertised to peers per XEP-0478. Default 512 KiB. */
  readonly maxStanzaBytes: number
  /** Element nesting below the stream root. Default 64. */
  readonly maxDepth: number
  /**
   * Output one stream may hold unsent because the peer does not read: past it the
   * stream is closed with `resource-constraint`. Default 1 MiB. Reading stops as soon
   * as the socket pushes back, so a peer cannot make us answer faster than it reads.
   */
  readonly maxBufferedBytes: number
  /**
   * Unsent output of all the streams of this context together; past it, each stream
   * holding more than its fair share (64 KiB) is closed with `resource-constraint`.
   * Default 64 MiB.
   */
  readonly maxBufferedBytesTotal: number
  /** XEP-0198 window: stanzas written and not yet acknowledged, per stream. Default 10,000 (the byte limit usually binds first). */
  readonly maxUnackedStanzas: number
  /** XEP-0198: characters of those stanzas, per stream. Default 2 Mi. */
  readonly maxUnackedBytes: number
}

/** How long each stage of a stream may take before it is closed. */
export interface StreamTimeouts {
  /** TCP (and direct TLS) connect. Default 10 s. */
  readonly connectMs: number
  /** From connect/accept until the stream can carry stanzas. Default 30 s. */
  readonly negotiationMs: number
  /** Whitespace keepalive after this much write silence on an established stream (RFC 6120 §4.6.1). Default 60 s; 0 = off. */
  readonly keepaliveMs: number
  /** Close with `connection-timeout` after this much read silence. Default 0 = off. */
  readonly idleMs: number
  /** How long to wait for the peer's `</stream:stream>` after ours. Default 2 s. */
  readonly closeMs: number
}

/** Everything the streams of one deployment share. Built once, at setup. */
export interface StreamContext {
  readonly localDomains: ReadonlySet<string>
  readonly auth: readonly AuthMechanism[]
  readonly tls: TlsIdentity | undefined
  /** Security required towards one remote domain (undefined: the peer has not said who it is yet). */
  securityFor(remoteDomain: string | undefined): SecurityPolicy
  readonly limits: StreamLimits
  /** The largest stanza accepted from one remote domain (the per-domain setting); `limits.maxStanzaBytes` before it is known. */
  maxStanzaBytesFor(remoteDomain: string | undefined): number
  /** What the streams of this context have written and the peers have not read yet, together. */
  readonly output: OutputBudget
  readonly timeouts: StreamTimeouts
  readonly logger: Logger
  /** XEP-0198 on every stream whose peer offers it; undefined when switched off. */
  readonly streamManagement: StreamManagementOptions | undefined
  /**
   * XEP-0288: offer peers a bidirectional stream (inbound) and ask for one
   * (outbound, only of a peer whose certificate names its domain), so one
   * connection carries both directions.
   */
  readonly bidi: boolean
}

/**
 * What a host passes to createStreamContext: its domains, authentication mechanisms, TLS identity, policy
 * and limits.
 */
export interface StreamContextOptions {
  localDomains: Iterable<string>
  auth: readonly AuthMechanism[]
  tls?: TlsIdentity
  /**
   * What TLS and authentication a stream requires: one policy for every peer, or a function of the remote
   * domain (undefined until the peer names itself), so per-domain overrides apply.
   */
  security?: SecurityPolicy | ((remoteDomain: string | undefined) => SecurityPolicy)
  limits?: Partial<StreamLimits>
  /** Per remote domain stanza limits; default `limits.maxStanzaBytes` for every domain. */
  maxStanzaBytesFor?: (remoteDomain: string) => number
  timeouts?: Partial<StreamTimeouts>
  /** A pino-style logger; default: warnings and errors on stderr; `false`: silence. */
  logger?: LoggerOption
  /** XEP-0198 acks (default on); `false` switches it off. */
  streamManagement?: Partial<StreamManagementOptions> | false
  /** XEP-0288 bidirectional streams (default on); `false` switches them off. */
  bidi?: boolean
}

/** The limits used for any field a host leaves out. */
export const DEFAULT_LIMITS: StreamLimits = {
  maxStanzaBytes: 512 * 1024,
  maxDepth: 64,
  maxBufferedBytes: 1024 * 1024,
  maxBufferedBytesTotal: 64 * 1024 * 1024,
  maxUnackedStanzas: 10_000,
  maxUnackedBytes: 2 * 1024 * 1024,
}
/** The timeouts used for any field a host leaves out. */
export const DEFAULT_TIMEOUTS: StreamTimeouts = {
  connectMs: 10_000,
  negotiationMs: 30_000,
  keepaliveMs: 60_000,
  idleMs: 0,
  closeMs: 2_000,
}
const DEFAULT_SECURITY: SecurityPolicy = { tls: 'required', requireValidCertificate: true }

/**
 * Validates the options and builds the context every inbound and outbound stream of a deployment shares;
 * throws on a bad domain or no local domain.
 */
export function createStreamContext(options: StreamContextOptions): StreamContext {
  const localDomains = new Set([...options.localDomains].map((d) => requireDomain(d, 'local domain')))
  if (localDomains.size === 0) throw new TypeError('at least one local domain is required')
  const security = options.security ?? DEFAULT_SECURITY
  const securityFor = typeof security === 'function' ? security : () => security
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  if (!options.tls && securityFor(undefined).tls === 'required') {
    throw new TypeError('TLS mode "required" needs a TLS identity (certificate and key)')
  }
  return {
    localDomains,
    auth: options.auth,
    tls: options.tls,
    securityFor,
    limits,
    maxStanzaBytesFor: (remote) =>
      remote === undefined || !options.maxStanzaBytesFor
        ? limits.maxStanzaBytes
        : options.maxStanzaBytesFor(remote),
    output: new OutputBudget(limits.maxBufferedBytesTotal),
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    logger: resolveLogger(options.logger),
    streamManagement:
      options.streamManagement === false
        ? undefined
        : { ...DEFAULT_STREAM_MANAGEMENT, ...options.streamManagement },
    bidi: options.bidi ?? true,
  }
}
