import type { FederationConfig } from '@xmpp-federation/config'
import type {
  AuthMechanism,
  Logger,
  SecurityPolicy,
  StreamContextOptions,
  TlsIdentity,
} from '@xmpp-federation/stream'

/** What a stream context takes besides the config: built by the federation, reused across reloads. */
export interface ContextParts {
  readonly auth: readonly AuthMechanism[]
  readonly tls: TlsIdentity | undefined
  readonly security: (remote: string | undefined) => SecurityPolicy
  readonly maxStanzaBytesFor: (remote: string) => number
  readonly logger: Logger
}

/** The stream context options a configuration asks for: at construction and at each reload alike. */
export function streamContextOptions(config: FederationConfig, parts: ContextParts): StreamContextOptions {
  return {
    localDomains: [...config.domains, ...config.emailForFederation.emailDomains],
    auth: parts.auth,
    ...(parts.tls ? { tls: parts.tls } : {}),
    security: parts.security,
    limits: {
      maxStanzaBytes: config.policy.limits.maxStanzaBytes,
      maxBufferedBytes: config.streams.maxBufferedBytes,
      maxBufferedBytesTotal: config.streams.maxBufferedBytesTotal,
      maxUnackedStanzas: config.streams.maxUnackedStanzas,
      maxUnackedBytes: config.streams.maxUnackedBytes,
    },
    maxStanzaBytesFor: parts.maxStanzaBytesFor,
    streamManagement: { ackTimeoutMs: config.streams.ackTimeoutMs },
    timeouts: {
      connectMs: config.timeouts.connectMs,
      negotiationMs: config.timeouts.negotiationMs,
      keepaliveMs: config.timeouts.keepaliveMs,
    },
    logger: parts.logger,
    bidi: config.streams.bidi,
  }
}
