// Overlap of two normalised list entries: 'example.com' (that domain only) or '*.example.com'
// (every subdomain, not example.com itself), as the policy package matches them.

const suffixOf = (entry: string) => (entry.startsWith('*.') ? entry.slice(2) : undefined)

const isUnder = (domain: string, suffix: string) => domain.endsWith(`.${suffix}`)

/** True when some domain matches both entries. */
export function entriesOverlap(a: string, b: string): boolean {
  if (a === b) return true
  const suffixA = suffixOf(a)
  const suffixB = suffixOf(b)
  if (suffixA !== undefined && suffixB !== undefined)
    return isUnder(suffixA, suffixB) || isUnder(suffixB, suffixA)
  if (suffixA !== undefined) return isUnder(b, suffixA)
  if (suffixB !== undefined) return isUnder(a, suffixB)
  return false
}

/** True when every domain `inner` matches is matched by `outer` too. */
export function entryCovers(outer: string, inner: string): boolean {
  if (outer === inner) return true
  const suffix = suffixOf(outer)
  if (suffix === undefined) return false
  return isUnder(suffixOf(inner) ?? inner, suffix)
}
