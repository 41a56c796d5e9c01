import type { Socket } from 'node:net'
import type { FederationConfig } from '@xmpp-federation/config'
import type { DnsLookup, StaticRoute } from '@xmpp-federation/router'
import type { AuthMechanism } from '@xmpp-federation/stream'
import type { StepResult } from './step-result.js'

/** Per-step time limits of the doctor, so an unreachable peer fails a step instead of hanging the run. */
export interface DoctorTimeouts {
  /** One DNS question. Default: the config's dns.timeoutMs, else 5000. */
  dnsMs?: number
  /** One TCP connect. Default 5000. */
  connectMs?: number
  /** From the stream header to features (and to authentication). Default 10 000. */
  negotiationMs?: number
}

/**
 * What runDoctor examines (the remote domain) and with what: the configuration, our domain, timeouts, trust
 * anchors.
 */
export interface DoctorOptions {
  /** The remote domain to examine. */
  domain: string
  /**
   * Our deployment: local domain, certificate, trusted CAs, static routes, DNS servers and the
   * security required of the remote domain. Without it the doctor looks at the remote side only.
   */
  config?: FederationConfig
  /** Our domain in the stream header and for authentication; default the config's first domain. */
  localDomain?: string
  /** Extra trusted CA certificates (PEM text), besides the config's. */
  ca?: string[]
  /** DNS servers as 'ip' or 'ip:port'; default the config's dns.servers, else the system's. */
  dnsServers?: string[]
  /** Targets to use instead of DNS, like a static route; default the config's routes for the domain. */
  routes?: StaticRoute[]
  /**
   * Authentication mechanisms to try after SASL EXTERNAL, in order, e.g. `dialback({ secret })`
   * from @xmpp-federation/dialback. EXTERNAL is tried first whenever a certificate is configured.
   */
  mechanisms?: AuthMechanism[]
  /** A remote certificate expiring within this many days is a warning. Default 30. */
  expiryDays?: number
  timeouts?: DoctorTimeouts
  /** The clock for certificate validity. */
  now?: () => Date
  /** Answers DNS questions instead of node:dns (tests, custom DNS stacks). */
  dns?: DnsLookup
  /** Opens TCP connections instead of node:net (tests). */
  connect?: (host: string, port: number) => Socket
  /** Called with each result as soon as it is known, for live output. */
  onResult?: (result: StepResult) => void
}

/** Placeholder sender when no local domain is known: `.invalid` can never be a real domain (RFC 2606). */
export const ANONYMOUS_LOCAL_DOMAIN = 'doctor.invalid'
/** The doctor warns about a peer certificate expiring within this many days. */
export const DEFAULT_EXPIRY_DAYS = 30
export const DEFAULT_CONNECT_MS = 5000
export const DEFAULT_NEGOTIATION_MS = 10_000
export const DEFAULT_DNS_MS = 5000
