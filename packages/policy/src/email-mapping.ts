import type { Element } from 'ltx'
import { type Allowed, allow, type Refused, refuse } from './decision.js'
import { type AddressParts, bareKey, normalizeDomain, parseAddress } from './domain-name.js'
import { attributeValues, mapAttributes } from './stanza-attributes.js'
import { createTtlCache } from './ttl-cache.js'

/**
 * Email for federation: our users appear to federated contacts under their email
 * address instead of their internal JID, in both directions.
 *
 * Which attributes are rewritten: every attribute, at any depth, whose value is an
 * address (bare or full) of one of our users, except `xmlns` declarations. That covers,
 * among others: the stanza `from` (and `to` of nested stanzas), XEP-0045 muc#user and
 * muc#admin `<item jid>`, `<invite from|to>`, `<decline from|to>`, XEP-0203 `<delay
 * from>`, XEP-0297 forwarded `<message from|to>`, XEP-0033 `<address jid>`, XEP-0060
 * `<item publisher>`, XEP-0030 `<item jid>`. Rewriting every matching attribute rather
 * than a fixed list is what makes "no internal JID leaks" hold for payloads we did not
 * foresee. Room JIDs (XEP-0249 `jid`) are only rewritten if the directory maps them,
 * which it should not. Text content (message bodies, vCard `<JABBERID>`) and `xmpp:`
 * URIs are NOT rewritten.
 */

/** Provided by the host; answers may be synchronous or asynchronous. */
export interface EmailDirectory {
  /** The user's email address, or undefined when the user has none. */
  emailForJid(bareJid: string): string | undefined | Promise<string | undefined>
  /** The bare JID of the user with this email address, or undefined. */
  jidForEmail(email: string): string | undefined | Promise<string | undefined>
}

/**
 * What the address mapper needs: the host's directory, what to do with users who have no email, and the
 * domains involved.
 */
export interface AddressMapperOptions {
  directory: EmailDirectory
  /** Users without a usable email: keep their JID, or refuse the stanza (NO_EMAIL_MAPPING). */
  unmapped: 'keep-jid' | 'refuse'
  /** Domains of our users: only addresses in these are looked up outbound. */
  localDomains: Iterable<string>
  /**
   * Further domains of our users' email addresses. A remote contact replies to the
   * email address, so its domain must be one we serve: an email in any other domain
   * is never used (EMAIL_DOMAIN_NOT_SERVED), the user counts as unmapped.
   */
  emailDomains?: Iterable<string>
  /** How long a directory answer is reused. Default 60 000 ms; 0 disables caching. */
  cacheTtlMs?: number
  maxCacheEntries?: number
  /** Clock for the cache, in ms. Default Date.now. */
  now?: () => number
}

/** One address changed by the mapper, for logs and tests. */
export interface AddressRewrite {
  readonly from: string
  readonly to: string
}

/**
 * The mapper's answer for one stanza: the rewritten stanza, or a refusal (no email for a user, a domain we
 * do not serve, a directory failure).
 */
export type AddressMappingResult =
  | {
      readonly decision: Allowed
      /** The rewritten copy, or the input itself when nothing changed; the input is never modified. */
      readonly stanza: Element
      readonly rewritten: readonly AddressRewrite[]
      /** Addresses left as they were in keep-jid mode, each with the reason. */
      readonly kept: readonly { readonly address: string; readonly reason: string }[]
    }
  | {
      readonly decision: Refused
      readonly stanza?: undefined
      readonly rewritten?: undefined
      readonly kept?: undefined
    }

/**
 * Rewrites our users' addresses between their JIDs and their email addresses, both ways, for
 * email-for-federation.
 */
export interface AddressMapper {
  /** Before sending: our users' JIDs become their email addresses. */
  outbound(stanza: Element): Promise<AddressMappingResult>
  /** After receiving: email addresses of our users become their JIDs again. */
  inbound(stanza: Element): Promise<AddressMappingResult>
  /** Forgets every cached directory answer, e.g. after the directory changed. */
  clearCache(): void
}

type Outcome =
  | { kind: 'map'; to: string }
  | { kind: 'keep'; reason: string }
  | { kind: 'refuse'; decision: Refused }

/** Creates the mapper; directory answers are cached per address until clearCache(). */
export function createAddressMapper(options: AddressMapperOptions): AddressMapper {
  const { directory, unmapped } = options
  const localDomains = normalizedSet(options.localDomains, 'localDomains')
  const servedDomains = new Set([
    ...localDomains,
    ...normalizedSet(options.emailDomains ?? [], 'emailDomains'),
  ])
  const now = options.now ?? Date.now
  const emailForJid = cachedLookup((jid) => directory.emailForJid(jid), options, now)
  const jidForEmail = cachedLookup((email) => directory.jidForEmail(email), options, now)

  /**
   * A user's email is used only if it is a valid bare address in a domain we serve
   * and maps back to the same user: that makes inbound(outbound(x)) give x back.
   */
  async function outboundOutcome(jid: string): Promise<Outcome> {
    const email = await emailForJid(jid)
    let why = `${jid} has no email address`
    let code: 'NO_EMAIL_MAPPING' | 'EMAIL_DOMAIN_NOT_SERVED' = 'NO_EMAIL_MAPPING'
    if (email !== undefined) {
      const parts = parseAddress(email)
      if (parts?.local === undefined || parts.resource !== undefined) {
        why = `the email address ${JSON.stringify(email)} of ${jid} is not usable as an XMPP address (RFC 7622 §3.3.1)`
      } else if (!servedDomains.has(parts.domain)) {
        code = 'EMAIL_DOMAIN_NOT_SERVED'
        why = `the email address ${email} of ${jid} is in ${parts.domain}, a domain we do not serve, so replies could not route back`
      } else {
        const address = bareKey(parts)
        const back = await jidForEmail(address)
        const backKey = back === undefined ? undefined : bareOf(back)
        if (backKey === jid) return { kind: 'map', to: address }
        why = `the email address ${address} of ${jid} maps back to ${back ?? 'no user'}`
      }
    }
    if (unmapped === 'refuse') {
      return { kind: 'refuse', decision: refuse(code, `${why}; unmapped users are refused`) }
    }
    // Keeping the JID is only safe if no other user receives mail, and so replies, at it.
    const owner = await jidForEmail(jid)
    const ownerKey = owner === undefined ? undefined : bareOf(owner)
    if (ownerKey !== undefined && ownerKey !== jid) {
      return {
        kind: 'refuse',
        decision: refuse(
          'NO_EMAIL_MAPPING',
          `${why}, and ${jid} is the email address of ${owner}: keeping it would send replies to the wrong user`,
        ),
      }
    }
    return { kind: 'keep', reason: why }
  }

  async function inboundOutcome(email: string): Promise<Outcome> {
    const jid = await jidForEmail(email)
    const parts = jid === undefined ? undefined : parseAddress(jid)
    if (parts?.local === undefined || parts.resource !== undefined || !localDomains.has(parts.domain)) {
      return { kind: 'keep', reason: `${email} is not the email address of a local user` }
    }
    return { kind: 'map', to: bareKey(parts) }
  }

  return {
    outbound: (stanza) => rewrite(stanza, localDomains, outboundOutcome),
    inbound: (stanza) => rewrite(stanza, servedDomains, inboundOutcome),
    clearCache() {
      emailForJid.clear()
      jidForEmail.clear()
    },
  }
}

/**
 * Looks up every distinct bare address of `domains` in the stanza, then rewrites all
 * attributes at once; one refusal refuses the whole stanza, so a stanza is never sent
 * with some addresses hidden and others leaked.
 */
async function rewrite(
  stanza: Element,
  domains: ReadonlySet<string>,
  outcomeFor: (bare: string) => Promise<Outcome>,
): Promise<AddressMappingResult> {
  const candidates = new Map<string, Outcome | undefined>()
  for (const value of attributeValues(stanza)) {
    const parts = parseAddress(value)
    if (parts?.local !== undefined && domains.has(parts.domain)) candidates.set(bareKey(parts), undefined)
  }
  try {
    for (const bare of candidates.keys()) candidates.set(bare, await outcomeFor(bare))
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { decision: refuse('DIRECTORY_ERROR', `the email directory failed: ${message}`) }
  }

  const kept: { address: string; reason: string }[] = []
  for (const [bare, outcome] of candidates) {
    if (outcome?.kind === 'refuse') return { decision: outcome.decision }
    if (outcome?.kind === 'keep') kept.push({ address: bare, reason: outcome.reason })
  }
  const rewritten: AddressRewrite[] = []
  const replace = (value: string): string => {
    const parts = parseAddress(value)
    if (parts?.local === undefined) return value
    const outcome = candidates.get(bareKey(parts))
    if (outcome?.kind !== 'map') return value
    const to = withResource(outcome.to, parts)
    rewritten.push({ from: value, to })
    return to
  }
  const mapped = [...candidates.values()].some((outcome) => outcome?.kind === 'map')
  const result = mapped ? mapAttributes(stanza, replace) : stanza
  const reason = mapped ? `rewrote ${rewritten.length} address(es)` : 'no address to rewrite'
  return { decision: allow(reason), stanza: result, rewritten, kept }
}

function withResource(bare: string, parts: AddressParts): string {
  return parts.resource === undefined ? bare : `${bare}/${parts.resource}`
}

function bareOf(address: string): string | undefined {
  const parts = parseAddress(address)
  return parts?.local === undefined ? undefined : bareKey(parts)
}

function normalizedSet(domains: Iterable<string>, what: string): Set<string> {
  const set = new Set<string>()
  for (const domain of domains) {
    const normalized = normalizeDomain(domain)
    if (normalized === undefined) throw new TypeError(`invalid domain in ${what}: ${JSON.stringify(domain)}`)
    set.add(normalized)
  }
  return set
}

type Lookup = ((key: string) => Promise<string | undefined>) & { clear(): void }

/** TTL-cached directory calls; concurrent lookups of one key share one call. Errors are not cached. */
function cachedLookup(
  call: (key: string) => string | undefined | Promise<string | undefined>,
  options: Pick<AddressMapperOptions, 'cacheTtlMs' | 'maxCacheEntries'>,
  now: () => number,
): Lookup {
  const cache = createTtlCache<string, string | undefined>({
    ttlMs: options.cacheTtlMs ?? 60_000,
    ...(options.maxCacheEntries === undefined ? {} : { maxEntries: options.maxCacheEntries }),
  })
  const pending = new Map<string, Promise<string | undefined>>()
  const lookup = async (key: string): Promise<string | undefined> => {
    const hit = cache.get(key, now())
    if (hit) return hit.value
    const inFlight = pending.get(key)
    if (inFlight) return inFlight
    const promise = Promise.resolve()
      .then(() => call(key))
      .then((value) => {
        if (value !== undefined && typeof value !== 'string') {
          throw new TypeError(`directory returned ${typeof value}`)
        }
        cache.set(key, value, now())
        return value
      })
      .finally(() => pending.delete(key))
    pending.set(key, promise)
    return promise
  }
  return Object.assign(lookup, { clear: () => cache.clear() })
}
