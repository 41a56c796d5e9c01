import type { z } from 'zod'
import type { ConfigIssueCode } from './config-issue.js'
import { entriesOverlap, entryCovers } from './domain-patterns.js'
import type { FederationSettings } from './schema.js'

// Checks that span sections: each catches a configuration that would federate only halfway.
// Every one is an error (see README.md, "Errors and warnings"); the code says which kind.

type Path = (string | number)[]
type Report = (code: ConfigIssueCode, path: Path, message: string, fix?: string) => void

export function checkConsistency(config: FederationSettings, ctx: z.RefinementCtx): void {
  const report: Report = (code, path, message, fix) =>
    ctx.addIssue({ code: 'custom', path, message, params: { code, ...(fix ? { fix } : {}) } })
  checkLocalDomainsUnique(config, report)
  checkRemoteSettingsNameNoServedDomain(config, report)
  checkSipDomainsNotConfiguredForXmpp(config, report)
  checkFederationLists(config, report)
  checkListenersDistinct(config, report)
  checkCertificates(config, report)
  checkAuthenticationPossible(config, report)
  checkStanzaLimits(config, report)
}

/** The domains streams may be addressed to: local domains, and email domains when in use. */
function servedDomains(config: FederationSettings): string[] {
  const email = config.emailForFederation
  return [...new Set([...config.domains, ...(email.enabled ? email.emailDomains : [])])]
}

function checkLocalDomainsUnique(config: FederationSettings, report: Report) {
  config.domains.forEach((domain, index) => {
    const first = config.domains.indexOf(domain)
    if (first !== index) {
      report(
        'DUPLICATE',
        ['domains', index],
        `lists ${domain} a second time (first at domains[${first}])`,
        'remove the duplicate',
      )
    }
  })
}

type RemoteSetting = { entry: string; path: Path; list: string }

/** Each setting about remote domains that enables or tunes XMPP federation with them. */
function xmppDomainSettings(config: FederationSettings): RemoteSetting[] {
  const { policy } = config
  const list = (name: 'allow' | 'webexDomains') =>
    policy[name].map((entry, i) => ({ entry, path: ['policy', name, i], list: `policy.${name}` }))
  return [
    ...list('allow'),
    ...list('webexDomains'),
    ...Object.keys(policy.domains).map((entry) => ({
      entry,
      path: ['policy', 'domains', entry],
      list: 'policy.domains',
    })),
    ...Object.keys(config.routes).map((entry) => ({ entry, path: ['routes', entry], list: 'routes' })),
  ]
}

function checkRemoteSettingsNameNoServedDomain(config: FederationSettings, report: Report) {
  const served = new Set(servedDomains(config))
  const { policy } = config
  const others = (name: 'deny' | 'sipFederatedDomains') =>
    policy[name].map((entry, i) => ({ entry, path: ['policy', name, i], list: `policy.${name}` }))
  for (const { entry, path } of [
    ...xmppDomainSettings(config),
    ...others('deny'),
    ...others('sipFederatedDomains'),
  ]) {
    if (served.has(entry)) {
      report(
        'CONFLICT',
        path,
        `names ${entry}, which this deployment serves itself`,
        "settings about remote domains name other servers' domains only",
      )
    }
  }
}

// The seed: a domain once federated over SIP must be removed from the SIP list before XMPP
// federation with it is enabled. Configuring it for XMPP explicitly is an error here; open-mode
// federation with it is refused at run time by the policy.
function checkSipDomainsNotConfiguredForXmpp(config: FederationSettings, report: Report) {
  const xmpp = xmppDomainSettings(config)
  config.policy.sipFederatedDomains.forEach((sipEntry, index) => {
    const clashes = xmpp.filter((setting) => entriesOverlap(setting.entry, sipEntry))
    if (clashes.length === 0) return
    const where = clashes.map((setting) => `${setting.list} (${setting.entry})`)
    report(
      'SIP_CONFLICT',
      ['policy', 'sipFederatedDomains', index],
      `${sipEntry} is still a SIP federated domain, but XMPP federation with it is configured in ${[...new Set(where)].join(', ')}`,
      `remove ${sipEntry} from policy.sipFederatedDomains before enabling XMPP federation with it, or drop those XMPP settings`,
    )
  })
}

function checkFederationLists(config: FederationSettings, report: Report) {
  const { policy } = config
  // An allow entry that a deny entry covers entirely can never take effect: deny wins.
  policy.allow.forEach((allowed, allowIndex) => {
    const denied = policy.deny.findIndex((entry) => entryCovers(entry, allowed))
    if (denied === -1) return
    const entry = policy.deny[denied]!
    report(
      'CONFLICT',
      ['policy', 'allow', allowIndex],
      entry === allowed
        ? `${allowed} is in both policy.allow and policy.deny (deny wins)`
        : `${allowed} is covered by ${entry} in policy.deny (deny wins)`,
      entry === allowed
        ? 'keep it in one list'
        : `remove ${allowed} from policy.allow, or ${entry} from policy.deny`,
    )
  })
  if (policy.mode === 'allowlist' && policy.allow.length === 0) {
    report(
      'CONFLICT',
      ['policy', 'allow'],
      "is empty while policy.mode is 'allowlist', so no domain may federate",
      'list the domains to federate with',
    )
  }
  if (policy.mode === 'denylist' && policy.deny.length === 0) {
    report(
      'CONFLICT',
      ['policy', 'deny'],
      "is empty while policy.mode is 'denylist', so nothing is denied",
      "list the domains to refuse, or set policy.mode to 'open'",
    )
  }
}

function checkListenersDistinct(config: FederationSettings, report: Report) {
  const seen = new Map<string, number>()
  config.listen.forEach((listener, index) => {
    const address = `${listener.host ?? '*'}:${listener.port}`
    const first = seen.get(address)
    if (first !== undefined) {
      report(
        'DUPLICATE',
        ['listen', index],
        `listens on ${address} like listen[${first}]`,
        'remove the duplicate or change its port',
      )
    }
    seen.set(address, index)
  })
}

function checkCertificates(config: FederationSettings, report: Report) {
  const { tls } = config
  const served = servedDomains(config)
  for (const domain of Object.keys(tls.certificates ?? {})) {
    if (!served.includes(domain)) {
      report(
        'CONFLICT',
        ['tls', 'certificates', domain],
        `is not a domain this deployment serves (${served.join(', ')})`,
        'add it to domains or remove its certificate',
      )
    }
  }
  // A listener must present a certificate for every served domain whenever TLS is mandatory on it.
  const tlsMandatory =
    config.listen.some((listener) => listener.directTls) ||
    (config.listen.length > 0 && config.security.tls === 'required')
  if (!tlsMandatory || tls.cert !== undefined) return
  const uncovered = served.filter((domain) => tls.certificates?.[domain] === undefined)
  if (uncovered.length > 0) {
    report(
      'MISSING_VALUE',
      ['tls'],
      `has no certificate for ${uncovered.join(', ')}, but inbound streams require TLS (security.tls 'required' or a directTls listener)`,
      'set tls.cert and tls.key, or tls.certificates per domain',
    )
  }
}

type AuthenticationView = {
  tls: 'none' | 'opportunistic' | 'required'
  requireValidCertificate: boolean
  dialback: boolean
  saslExternal: { inbound: boolean; outbound: boolean }
}

// SASL EXTERNAL needs TLS. Dialback needs to be on, and cannot work where a valid certificate
// is required but TLS is off: it may not stand in for that certificate (XEP-0344).
function directionsWithoutAuthentication(security: AuthenticationView): string[] {
  const external = security.tls !== 'none'
  const dialback = security.dialback && !(security.tls === 'none' && security.requireValidCertificate)
  return (['inbound', 'outbound'] as const).filter(
    (direction) => !dialback && !(external && security.saslExternal[direction]),
  )
}

function checkAuthenticationPossible(config: FederationSettings, report: Report) {
  const explain = (directions: string[]) =>
    `leaves ${directions.join(' and ')} streams without an authentication method (dialback is off or needs a certificate TLS cannot carry, and SASL EXTERNAL is off or has no TLS)`
  const fix =
    'enable dialback (with requireValidCertificate false if TLS is off), or SASL EXTERNAL together with TLS'
  const global = directionsWithoutAuthentication(config.security)
  if (global.length > 0) report('NO_AUTH_METHOD', ['security'], explain(global), fix)
  for (const [entry, override] of Object.entries(config.policy.domains)) {
    const effective: AuthenticationView = {
      tls: override.tls ?? config.security.tls,
      requireValidCertificate: override.requireValidCertificate ?? config.security.requireValidCertificate,
      dialback: override.dialback ?? config.security.dialback,
      saslExternal: {
        inbound: override.saslExternal?.inbound ?? config.security.saslExternal.inbound,
        outbound: override.saslExternal?.outbound ?? config.security.saslExternal.outbound,
      },
    }
    const gaps = directionsWithoutAuthentication(effective)
    // A gap the global settings already have is reported once, at `security`.
    if (gaps.some((direction) => !global.includes(direction)))
      report('NO_AUTH_METHOD', ['policy', 'domains', entry], explain(gaps), fix)
  }
}

/** RFC 6120 §13.12: a server must accept stanzas of at least 10 000 bytes. */
export const MIN_STANZA_BYTES = 10_000

function checkStanzaLimits(config: FederationSettings, report: Report) {
  const { policy } = config
  const limits: [Path, number | undefined][] = [
    [['policy', 'limits', 'maxStanzaBytes'], policy.limits.maxStanzaBytes],
    ...Object.entries(policy.domains).map(([entry, override]): [Path, number | undefined] => [
      ['policy', 'domains', entry, 'limits', 'maxStanzaBytes'],
      override.limits?.maxStanzaBytes,
    ]),
  ]
  for (const [path, bytes] of limits) {
    if (bytes === undefined || bytes >= MIN_STANZA_BYTES) continue
    report(
      'STANZA_LIMIT_TOO_SMALL',
      path,
      `is ${bytes} bytes, below the 10000 bytes RFC 6120 §13.12 requires a server to accept`,
      'set it to 10000 or more',
    )
  }
}
