import { type AddressAnswer, lookupAddresses } from './address-lookup.js'
import type { DnsLookup, SrvRecord } from './dns-lookup.js'
import { ResolveError } from './resolve-error.js'
import { lookupService, NOT_ASKED, type ServiceAnswer, XMPP_SERVER, XMPPS_SERVER } from './service-lookup.js'
import type { ConnectionTarget } from './types.js'

/** RFC 6120 §3.2.2: the fallback connects to the domain itself on the xmpp-server port. */
export const XMPP_SERVER_PORT = 5269

/** One SRV record (or the fallback) with the addresses of its target. */
export interface Candidate {
  priority: number
  weight: number
  port: number
  directTls: boolean
  source: Exclude<ConnectionTarget['source'], 'static'>
  /** The SRV target, or the domain on fallback. */
  name: string
  addresses: string[]
}

/**
 * What DNS says about a domain, before the random part of the ordering: the
 * part worth caching. `ttlSeconds` is the smallest TTL reported, if any.
 */
export interface ResolutionPlan {
  candidates: Candidate[]
  ttlSeconds: number | undefined
}

/**
 * Asks DNS how to reach `domain` (lower-case A-labels). Throws ResolveError for
 * NXDOMAIN and NO_TARGETS, DnsQueryError when a DNS failure leaves nothing to use.
 *
 * A failed SRV question (of either service) fails the whole resolution: half an
 * answer could drop the records the operator prefers, or lead to an A/AAAA
 * fallback that the missing answer would have ruled out (RFC 6120 §3.2.1 step 8).
 * A failed address question only loses that one target.
 */
export async function planResolution(
  dns: DnsLookup,
  domain: string,
  options: { directTls: boolean },
): Promise<ResolutionPlan> {
  // XEP-0368: both services are looked up, and mixed as one SRV set.
  const [xmpps, xmpp] = await Promise.all([
    options.directTls ? lookupService(dns, XMPPS_SERVER, domain) : NOT_ASKED,
    lookupService(dns, XMPP_SERVER, domain),
  ])
  const records = [...srvCandidates(xmpps, true), ...srvCandidates(xmpp, false)]
  if (records.length > 0) return resolveSrvTargets(dns, domain, records)
  // A "." for either service: XEP-0368 §5 forbids the A/AAAA fallback after an
  // xmpps ".", and RFC 6120 §3.2.1 steps 3 and 8 end SRV processing without one.
  if (xmpps.kind === 'unavailable' || xmpp.kind === 'unavailable') {
    throw new ResolveError('NO_TARGETS', domain, `${domain}: its SRV records say s2s is not available`)
  }
  return resolveFallback(dns, domain)
}

interface SrvCandidate {
  record: SrvRecord
  directTls: boolean
}

function srvCandidates(answer: ServiceAnswer, directTls: boolean): SrvCandidate[] {
  return answer.kind === 'records' ? answer.records.map((record) => ({ record, directTls })) : []
}

// RFC 6120 §3.2.1 steps 4-7: every target resolved to its addresses; a target
// without any is skipped; no fallback when none is left (step 8).
async function resolveSrvTargets(
  dns: DnsLookup,
  domain: string,
  records: SrvCandidate[],
): Promise<ResolutionPlan> {
  const byName = new Map<string, Promise<AddressAnswer>>()
  const addressesOf = (name: string) => {
    const key = name.toLowerCase()
    let answer = byName.get(key)
    if (answer === undefined) {
      answer = lookupAddresses(dns, key)
      byName.set(key, answer)
    }
    return answer
  }
  const answers = await Promise.all(records.map(({ record }) => addressesOf(record.name)))
  const candidates = records.flatMap(({ record, directTls }, index): Candidate[] => {
    const { addresses } = answers[index]!
    if (addresses.length === 0) return []
    const source = directTls ? 'srv-xmpps' : 'srv-xmpp'
    const { priority, weight, port } = record
    return [{ priority, weight, port, directTls, source, name: record.name.toLowerCase(), addresses }]
  })
  if (candidates.length === 0) {
    const failure = answers.find((answer) => answer.failure)?.failure
    if (failure) throw failure
    const targets = [...byName.keys()].join(', ')
    throw new ResolveError('NO_TARGETS', domain, `${domain}: no SRV target has an address (${targets})`)
  }
  const ttls = [
    ...records.map(({ record }) => record.ttlSeconds),
    ...answers.map((answer) => answer.ttlSeconds),
  ]
  return { candidates, ttlSeconds: smallest(ttls) }
}

// RFC 6120 §3.2.2: no SRV record at all, so the domain's own A/AAAA on 5269, STARTTLS.
async function resolveFallback(dns: DnsLookup, domain: string): Promise<ResolutionPlan> {
  const answer = await lookupAddresses(dns, domain)
  if (answer.addresses.length > 0) {
    const candidate: Candidate = {
      priority: 0,
      weight: 0,
      port: XMPP_SERVER_PORT,
      directTls: false,
      source: 'fallback',
      name: domain,
      addresses: answer.addresses,
    }
    return { candidates: [candidate], ttlSeconds: answer.ttlSeconds }
  }
  if (answer.failure) throw answer.failure
  if (answer.nxdomain) throw new ResolveError('NXDOMAIN', domain, `${domain}: no such domain (NXDOMAIN)`)
  throw new ResolveError('NO_TARGETS', domain, `${domain}: no SRV, A or AAAA records`)
}

function smallest(values: Array<number | undefined>): number | undefined {
  const known = values.filter((value): value is number => value !== undefined)
  return known.length > 0 ? Math.min(...known) : undefined
}
