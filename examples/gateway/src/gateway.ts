import { redisCluster } from '@xmpp-federation/cluster'
import { type FederationConfig, type FederationConfigInput, parseConfig } from '@xmpp-federation/config'
import { createPresenceBook, type PresenceBook } from '@xmpp-federation/presence'
import { createFederation, type Federation, type ReconfigureReport } from '@xmpp-federation/router'
import type { AuthMechanism } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import { logFederationEvents } from './federation-events.js'
import type { GatewayClusterConfig } from './gateway-config.js'
import { startHttpApi } from './http-api.js'
import { handleInbound } from './inbound.js'
import { Inbox } from './inbox.js'
import { createLog, type GatewayLog } from './log.js'
import { type ConfigSource, configReloader } from './reload.js'
import { createSender } from './sender.js'

export interface GatewayOptions {
  /** Default: human-readable lines on stdout. */
  log?: GatewayLog
  /** Overrides the config's `http` (e.g. port 0 for any free port in tests). */
  http?: { host?: string; port?: number }
  /** Inbox items kept; default 1000. */
  inboxCapacity?: number
  /** s2s authentication, in order; default what the config asks for (SASL EXTERNAL, then dialback where allowed). */
  auth?: AuthMechanism[]
  /**
   * Live reconfiguration: where the configuration is read again (main.ts: its file, on
   * SIGHUP), and the bearer token that guards `POST /api/reload` (without a token, only
   * `gateway.reload()` and SIGHUP can reload).
   */
  reload?: { source: ConfigSource; token?: string }
  /** Run as one node of several gateways serving the same domains (the config file's `cluster` object). */
  cluster?: GatewayClusterConfig
}

export interface Gateway {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8484`. */
  readonly url: string
  readonly federation: Federation
  readonly inbox: Inbox
  readonly presence: PresenceBook
  /** Reads the configuration again and applies it live (with `options.reload`); rejects, naming each problem, if refused. */
  reload(): Promise<ReconfigureReport>
  /** Tells subscribers the users are gone, closes the HTTP API and every s2s stream. */
  stop(): Promise<void>
}

const DEFAULT_HTTP = { host: '127.0.0.1', port: 8080 }
const GOODBYE_TIMEOUT_MS = 2_000

/**
 * A federation gateway: hosts the configured domains over s2s and lets any
 * application talk to XMPP users elsewhere through an HTTP API. All state
 * (inbox, presence subscriptions) lives in memory.
 */
export async function startGateway(
  input: FederationConfigInput | FederationConfig,
  options: GatewayOptions = {},
): Promise<Gateway> {
  const config = parseConfig(input)
  const log = options.log ?? createLog()
  if (config.emailForFederation.enabled) {
    throw new Error('emailForFederation.enabled: the gateway has no user directory to map addresses with')
  }
  // The router builds the policy from the config and reports its refusals as `decision` events.
  const federation = createFederation({
    config,
    logger: log.logger,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.cluster
      ? {
          cluster: redisCluster({
            url: options.cluster.redis,
            nodeId: options.cluster.nodeId,
            ...(options.cluster.leaseMs === undefined ? {} : { leaseMs: options.cluster.leaseMs }),
          }),
        }
      : {}),
  })
  const inbox = new Inbox(options.inboxCapacity)
  const presence = createPresenceBook({ resource: 'gateway' })
  const sender = createSender(federation, log)
  const ownBounces = new WeakSet<Element>()
  logFederationEvents(federation, log, inbox, ownBounces)
  const inboundDeps = { inbox, presence, sender, log, ownBounces }
  federation.on('stanza', (stanza) => handleInbound(stanza, inboundDeps))
  // Our own sends that bounced: the error for the local sender comes once, with the bounce event.
  federation.on('bounce', ({ direction, returned }) => {
    if (direction === 'outbound' && returned) handleInbound(returned, inboundDeps)
  })

  await federation.start()
  const endpoint = { ...DEFAULT_HTTP, ...config.http, ...options.http }
  const reload = options.reload
    ? configReloader(federation, options.reload.source, log)
    : () => Promise.reject(new Error('this gateway was started without a configuration source to reload'))
  const adminRoutes = options.reload?.token ? { token: options.reload.token, reload } : undefined
  const api = await startHttpApi(
    { federation, config, inbox, presence, sender, log, eventStreams: new Set(), adminRoutes },
    endpoint,
  ).catch(async (error: Error) => {
    await federation.stop()
    throw error
  })
  const listeners = config.listen.map(
    (l) => `${l.host ?? '*'}:${l.port}${l.directTls ? ' (direct TLS)' : ''}`,
  )
  log.event(
    'gateway',
    `serving ${config.domains.join(', ')}: s2s on ${listeners.join(', ') || 'no listener'}, HTTP API on ${api.url}`,
    { domains: config.domains, listen: listeners, url: api.url },
  )

  let stopping: Promise<void> | undefined
  const stop = async () => {
    log.event('gateway', 'stopping')
    await sayGoodbye(presence, sender)
    // Together: requests waiting on a send are answered when the federation bounces its queues.
    await Promise.all([api.close(), federation.stop()])
    log.event('gateway', 'stopped')
  }
  return {
    url: api.url,
    federation,
    inbox,
    presence,
    reload,
    stop: () => {
      stopping ??= stop()
      return stopping
    },
  }
}

/** RFC 6121 §4.5: subscribers learn that available users went offline; bounded, so stop never hangs. */
async function sayGoodbye(presence: PresenceBook, sender: ReturnType<typeof createSender>): Promise<void> {
  const users = await presence.availableUsers()
  const stanzas = (await Promise.all(users.map((user) => presence.act(user, 'unavailable')))).flat()
  if (stanzas.length === 0) return
  const sent = Promise.allSettled(stanzas.map((stanza) => sender.presence(stanza)))
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, GOODBYE_TIMEOUT_MS)
  })
  await Promise.race([sent, timeout])
  clearTimeout(timer)
}
