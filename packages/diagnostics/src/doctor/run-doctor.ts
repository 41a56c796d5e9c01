import { type ConnectionTarget, createNodeDnsLookup } from '@xmpp-federation/router'
import { requireDomain } from '@xmpp-federation/stream'
import { authStep } from './auth-step.js'
import { chainStep } from './chain-step.js'
import { dnsStep, targetAddress } from './dns-step.js'
import { expiryStep } from './expiry-step.js'
import { featuresStep } from './features-step.js'
import { identityStep } from './identity-step.js'
import { keyUsageStep } from './key-usage-step.js'
import { type LocalSetup, localSetup } from './local-setup.js'
import {
  DEFAULT_CONNECT_MS,
  DEFAULT_DNS_MS,
  DEFAULT_EXPIRY_DAYS,
  DEFAULT_NEGOTIATION_MS,
  type DoctorOptions,
} from './options.js'
import { policyStep } from './policy-step.js'
import { type StepResult, type StepSummary, summarize, warn } from './step-result.js'
import { probeStream, type StreamProbe } from './stream-probe.js'
import { defaultConnect, tcpStep } from './tcp-step.js'
import { tlsStep } from './tls-step.js'

/** What runDoctor returns: where it connected, every step's result in order, and a summary. */
export interface DoctorReport {
  /** The remote domain examined (normalised). */
  domain: string
  /** Our domain used in stream headers and authentication; null when none was configured. */
  localDomain: string | null
  /** Where the doctor connected, as `host:port`, in the router's order. */
  targets: string[]
  /** True when no result failed. */
  ok: boolean
  summary: StepSummary
  results: StepResult[]
}

/**
 * Why can't we federate with this domain? Runs every step against every target the router
 * would use (policy, DNS, TCP, STARTTLS or direct TLS, certificate, features, authentication)
 * and returns one result per finding. Never throws for a network problem: that is a result.
 * Throws a TypeError when `domain` is not a domain name, and an Error when a configured file
 * cannot be read.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const domain = requireDomain(options.domain, 'remote domain')
  const setup = localSetup(options, domain)
  const { config } = options
  const now = options.now?.() ?? new Date()
  const connect = options.connect ?? defaultConnect
  const connectMs = options.timeouts?.connectMs ?? DEFAULT_CONNECT_MS
  const negotiationMs = options.timeouts?.negotiationMs ?? DEFAULT_NEGOTIATION_MS
  const results: StepResult[] = []
  const report = (...found: StepResult[]) => {
    for (const result of found) {
      results.push(result)
      options.onResult?.(result)
    }
  }

  if (setup.policy) report(policyStep(domain, setup.policy))
  const dns =
    options.dns ??
    createNodeDnsLookup({
      servers: options.dnsServers ?? config?.dns.servers,
      timeoutMs: options.timeouts?.dnsMs ?? config?.dns.timeoutMs ?? DEFAULT_DNS_MS,
    })
  const resolved = await dnsStep(domain, { dns, routes: options.routes ?? config?.routes[domain] })
  report(...resolved.results)

  let reachable: ConnectionTarget | undefined
  for (const target of resolved.targets) {
    const tcp = await tcpStep(domain, target, { connect, timeoutMs: connectMs })
    report(tcp.result)
    if (!tcp.socket) continue
    const usable = !(target.directTls && setup.security.tls === 'none')
    if (!usable) report(directTlsRefused(domain, targetAddress(target)))
    const probe = await probeStream(tcp.socket, {
      remoteDomain: domain,
      setup,
      directTls: target.directTls,
      negotiationMs,
    })
    report(...probeResults(probe, { domain, target: targetAddress(target), setup, now, options }))
    if (probe.features.length > 0 && usable) reachable ??= target
  }

  report(
    await authStep(reachable, {
      domain,
      setup,
      mechanisms: options.mechanisms ?? [],
      connect,
      connectMs,
      negotiationMs,
    }),
  )
  const summary = summarize(results)
  return {
    domain,
    localDomain: setup.knownLocalDomain ? setup.localDomain : null,
    targets: resolved.targets.map(targetAddress),
    ok: summary.fail === 0,
    summary,
    results,
  }
}

interface ProbeContext {
  domain: string
  target: string
  setup: LocalSetup
  now: Date
  options: DoctorOptions
}

function probeResults(probe: StreamProbe, context: ProbeContext): StepResult[] {
  const { domain, target, setup, now, options } = context
  const results = tlsStep(probe, {
    domain,
    target,
    tlsMode: setup.security.tls,
    localDomain: setup.localDomain,
    presentsCertificate: setup.presentsCertificate,
  })
  const leaf = probe.presented[0]
  if (probe.tls || leaf) {
    results.push(chainStep(probe.presented, { domain, target, anchors: setup.identity.anchors, now }))
  }
  if (leaf) {
    const expiryDays = options.expiryDays ?? DEFAULT_EXPIRY_DAYS
    results.push(
      identityStep(leaf, { domain, target }),
      expiryStep(leaf, { domain, target, now, expiryDays }),
      keyUsageStep(leaf, { domain, target }),
    )
  }
  results.push(
    ...featuresStep(probe, {
      domain,
      target,
      localDomain: setup.localDomain,
      presentsCertificate: setup.presentsCertificate,
      security: setup.security,
    }),
  )
  return results
}

// The doctor still looks at such a target, but the router cannot use it.
function directTlsRefused(domain: string, target: string): StepResult {
  return warn({
    step: 'direct-tls',
    code: 'TLS_REQUIRED_BY_REMOTE',
    message: `${target} speaks TLS only (direct TLS, XEP-0368), and our security.tls for ${domain} is 'none': we cannot use it`,
    hint: `Our side: set security.tls (or policy.domains.${domain}.tls) to 'opportunistic' or 'required', with a certificate in tls.cert.`,
    side: 'local',
    target,
  })
}
