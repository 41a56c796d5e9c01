import {
  type ConnectionTarget,
  createResolver,
  type DnsLookup,
  DnsQueryError,
  ResolveError,
  type StaticRoute,
} from '@xmpp-federation/router'
import { type DnsExchange, recordingDns } from './recording-dns.js'
import { fail, pass, type StepResult, skip, warn } from './step-result.js'

export interface DnsStepOutcome {
  results: StepResult[]
  /** Where to connect, in the order the router would try them; empty when DNS failed. */
  targets: ConnectionTarget[]
}

const SERVICES = ['_xmpps-server', '_xmpp-server'] as const

const PUBLISH_SRV = (domain: string) =>
  `Remote side: publish "_xmpp-server._tcp.${domain}. SRV 0 0 5269 <host>." (RFC 6120 §3.2.1) and an A/AAAA record for <host>.`

/** Resolves `domain` with the router's resolver, and says what each DNS answer meant. */
export async function dnsStep(
  domain: string,
  options: { dns: DnsLookup; routes: StaticRoute[] | undefined },
): Promise<DnsStepOutcome> {
  if (options.routes && options.routes.length > 0) return staticRoute(domain, options.routes)
  const { dns, exchanges } = recordingDns(options.dns)
  // random 0: the weighted SRV choice is reproducible from one run to the next.
  const resolver = createResolver({ dns, cache: false, random: () => 0 })
  try {
    const targets = await resolver.resolve(domain)
    return { results: explainResolved(domain, targets, exchanges), targets }
  } catch (error) {
    return { results: [explainFailure(domain, error, exchanges)], targets: [] }
  }
}

function staticRoute(domain: string, routes: StaticRoute[]): DnsStepOutcome {
  const targets: ConnectionTarget[] = routes.map((route) => ({
    host: route.host,
    port: route.port,
    directTls: route.directTls ?? false,
    source: 'static',
  }))
  const listed = targets.map(describeTarget).join(', ')
  return {
    results: [
      pass({
        step: 'dns',
        code: 'DNS_STATIC_ROUTE',
        message: `static route for ${domain}: ${listed} (DNS not asked)`,
      }),
    ],
    targets,
  }
}

function explainResolved(
  domain: string,
  targets: ConnectionTarget[],
  exchanges: DnsExchange[],
): StepResult[] {
  const results: StepResult[] = []
  const viaSrv = targets.some((target) => target.source === 'srv-xmpp' || target.source === 'srv-xmpps')
  if (viaSrv) {
    for (const service of SERVICES) results.push(serviceResult(`${service}._tcp.${domain}`, exchanges))
  } else {
    results.push(
      warn({
        step: 'dns',
        code: 'DNS_SRV_NONE',
        message: `no SRV records for _xmpps-server._tcp.${domain} or _xmpp-server._tcp.${domain}; using the A/AAAA records of ${domain} on port 5269`,
        hint: `${PUBLISH_SRV(domain)} The fallback works only while the server runs on ${domain} itself, on port 5269.`,
        side: 'remote',
      }),
    )
  }
  for (const name of new Set(addressQuestions(exchanges)))
    results.push(addressResult(name, targets, exchanges))
  return results
}

function serviceResult(name: string, exchanges: DnsExchange[]): StepResult {
  const records = exchanges.find((e) => e.type === 'SRV' && e.name === name)?.srv ?? []
  const usable = records.filter((record) => record.name !== '' && record.name !== '.')
  if (usable.length === 0) {
    const optional = name.startsWith('_xmpps-server') ? ' (direct TLS, XEP-0368, is optional)' : ''
    return skip({ step: 'dns', code: 'DNS_SRV_ABSENT', message: `no ${name} records${optional}` })
  }
  const listed = usable
    .map((r) => `${r.name}:${r.port} (priority ${r.priority}, weight ${r.weight})`)
    .join(', ')
  return pass({ step: 'dns', code: 'DNS_SRV_OK', message: `${name} → ${listed}` })
}

/** Host names whose addresses were asked, in the order asked. */
function addressQuestions(exchanges: DnsExchange[]): string[] {
  return exchanges.filter((e) => e.type !== 'SRV').map((e) => e.name)
}

function addressResult(name: string, targets: ConnectionTarget[], exchanges: DnsExchange[]): StepResult {
  const addresses = exchanges
    .filter((e) => e.name === name && e.type !== 'SRV')
    .flatMap((e) => (e.addresses ?? []).map((record) => record.address))
  if (addresses.length > 0) {
    return pass({ step: 'dns', code: 'DNS_ADDRESS_OK', message: `${name} → ${addresses.join(', ')}` })
  }
  // Other SRV targets still work: the router skips this one (RFC 6120 §3.2.1 step 6).
  return warn({
    step: 'dns',
    code: 'DNS_NO_ADDRESS',
    message: `SRV target ${name} has no A or AAAA record; ${targets.length} other target(s) remain`,
    hint: `Remote side: add an A/AAAA record for ${name}, or remove it from the SRV records.`,
    side: 'remote',
  })
}

function explainFailure(domain: string, error: unknown, exchanges: DnsExchange[]): StepResult {
  if (!(error instanceof ResolveError)) {
    return fail({
      step: 'dns',
      code: 'DNS_FAILED',
      message: `cannot resolve ${domain}: ${(error as Error).message}`,
      hint: 'Our side: check the domain name given to the doctor.',
      side: 'local',
    })
  }
  switch (error.code) {
    case 'NXDOMAIN':
      return fail({
        step: 'dns',
        code: 'DNS_SRV_NXDOMAIN',
        message: `${domain} does not exist in DNS: no SRV records, and NXDOMAIN for its A/AAAA records`,
        hint: `Check the spelling of ${domain}. ${PUBLISH_SRV(domain)} Our side: behind NAT or a firewall, a static route (routes.${domain}) replaces DNS.`,
        side: 'remote',
      })
    case 'NO_TARGETS':
      return noTargets(domain, error, exchanges)
    case 'TIMEOUT':
      return fail({
        step: 'dns',
        code: 'DNS_TIMEOUT',
        message: `DNS did not answer in time: ${error.message}`,
        hint: 'Our side: check that the DNS servers (dns.servers, --dns-server, or the system resolver) are reachable from this host.',
        side: 'local',
      })
    default:
      return fail({
        step: 'dns',
        code: 'DNS_FAILED',
        message: `DNS failed (${error.code}): ${error.message}`,
        hint: `Our side: check our DNS servers. Remote side: if only ${domain} fails, its DNS servers are broken (SERVFAIL) or refuse to answer.`,
        side: 'either',
      })
  }
}

function noTargets(domain: string, error: ResolveError, exchanges: DnsExchange[]): StepResult {
  const rootTarget = exchanges.some((e) => e.srv?.some((record) => record.name === '' || record.name === '.'))
  if (rootTarget) {
    return fail({
      step: 'dns',
      code: 'DNS_SRV_UNAVAILABLE',
      message: `the SRV records of ${domain} say server-to-server XMPP is not available there (target ".")`,
      hint: `Remote side: ${domain} has opted out of federation in DNS; replace the "." target with its s2s host if it wants to federate.`,
      side: 'remote',
    })
  }
  const failure = exchanges.find((e) => e.error instanceof DnsQueryError && !isNoRecords(e.error))
  return fail({
    step: 'dns',
    code: 'DNS_NO_ADDRESS',
    message: failure ? `${error.message} (${(failure.error as Error).message})` : error.message,
    hint: `Remote side: every name it points to needs an A or AAAA record. ${PUBLISH_SRV(domain)}`,
    side: 'remote',
  })
}

function isNoRecords(error: DnsQueryError): boolean {
  return error.code === 'NXDOMAIN' || error.code === 'NODATA'
}

/** `host:port`, with IPv6 literals in brackets. */
export function targetAddress(target: Pick<ConnectionTarget, 'host' | 'port'>): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  return `${host}:${target.port}`
}

export function describeTarget(target: Pick<ConnectionTarget, 'host' | 'port' | 'directTls'>): string {
  return `${targetAddress(target)}${target.directTls ? ' (direct TLS)' : ''}`
}
