import { normalizeDomain } from './domain-name.js'

/**
 * Domain list entries, and their subdomain semantics:
 * - `example.com` (exact) matches `example.com` only, never a subdomain.
 * - `*.example.com` (wildcard) matches every subdomain at any depth
 *   (`a.example.com`, `a.b.example.com`) but NOT `example.com` itself:
 *   list both entries to cover a domain and its subdomains.
 * - `*` alone, `a.*.example.com` and `*example.com` are malformed and match nothing.
 * Both sides are compared as lower-case A-labels (see normalizeDomain).
 */
export type DomainPattern =
  | { readonly kind: 'exact'; readonly domain: string }
  | { readonly kind: 'wildcard'; readonly suffix: string }

/** Reads one domain list entry; undefined when it is malformed. */
export function parseDomainPattern(entry: string): DomainPattern | undefined {
  if (typeof entry !== 'string') return undefined
  if (entry.startsWith('*.')) {
    const suffix = normalizeDomain(entry.slice(2))
    return suffix === undefined ? undefined : { kind: 'wildcard', suffix }
  }
  const domain = normalizeDomain(entry)
  return domain === undefined ? undefined : { kind: 'exact', domain }
}

/** The canonical spelling of a pattern, e.g. to name the entry in a reason. */
export function formatPattern(pattern: DomainPattern): string {
  return pattern.kind === 'exact' ? pattern.domain : `*.${pattern.suffix}`
}

/** `domain` must already be normalized. */
export function patternMatches(pattern: DomainPattern, domain: string): boolean {
  return pattern.kind === 'exact' ? domain === pattern.domain : domain.endsWith(`.${pattern.suffix}`)
}

/**
 * Higher is more specific: an exact entry beats every wildcard, and a wildcard
 * with more labels beats one with fewer. Two different wildcards with the same
 * number of labels can never match the same domain, so this orders all matches.
 */
export function specificity(pattern: DomainPattern): number {
  return pattern.kind === 'exact' ? Number.POSITIVE_INFINITY : pattern.suffix.split('.').length
}

/** One pattern that matched a domain, with what was stored under it. */
export interface DomainMatch<T> {
  readonly pattern: DomainPattern
  /** Every value stored under this pattern, in insertion order. */
  readonly values: readonly T[]
}

/** Values keyed by domain pattern, looked up in O(labels of the domain). */
export interface DomainTable<T> {
  /** All matching entries, most specific first. Empty for a malformed domain. */
  matches(domain: string): DomainMatch<T>[]
  /** Entries whose key was malformed (they match nothing). */
  readonly malformed: readonly string[]
  readonly size: number
}

/**
 * Builds a DomainTable from (pattern, value) entries; malformed patterns are kept aside in `malformed`, not
 * thrown.
 */
export function createDomainTable<T>(entries: Iterable<readonly [string, T]>): DomainTable<T> {
  const exact = new Map<string, T[]>()
  const wildcard = new Map<string, T[]>()
  const malformed: string[] = []
  let size = 0
  for (const [key, value] of entries) {
    const pattern = parseDomainPattern(key)
    if (pattern === undefined) {
      malformed.push(key)
      continue
    }
    const map = pattern.kind === 'exact' ? exact : wildcard
    const id = pattern.kind === 'exact' ? pattern.domain : pattern.suffix
    const values = map.get(id)
    if (values) values.push(value)
    else map.set(id, [value])
    size++
  }

  return {
    malformed,
    size,
    matches(input) {
      const domain = normalizeDomain(input)
      if (domain === undefined) return []
      const found: DomainMatch<T>[] = []
      const exactValues = exact.get(domain)
      if (exactValues) found.push({ pattern: { kind: 'exact', domain }, values: exactValues })
      // Walk up the parents, nearest first: that is longest wildcard first.
      for (let dot = domain.indexOf('.'); dot !== -1; dot = domain.indexOf('.', dot + 1)) {
        const suffix = domain.slice(dot + 1)
        const values = wildcard.get(suffix)
        if (values) found.push({ pattern: { kind: 'wildcard', suffix }, values })
      }
      return found
    },
  }
}

/** A plain list of entries (allow, deny, webexDomains): answers "which entry matches, if any". */
export interface DomainList {
  /** The most specific matching entry, as written in the configuration. */
  match(domain: string): string | undefined
  readonly malformed: readonly string[]
}

/** Builds a DomainList from configuration entries such as `example.com` and `*.example.com`. */
export function createDomainList(entries: readonly string[]): DomainList {
  const table = createDomainTable(entries.map((entry) => [entry, entry] as const))
  return {
    malformed: table.malformed,
    match: (domain) => table.matches(domain)[0]?.values[0],
  }
}
