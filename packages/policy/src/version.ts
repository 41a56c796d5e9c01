/**
 * Software versions as XEP-0092 peers report them: '8.6.4.10000-2', '0.12.4', '23.01',
 * '7.x'. The leading dotted run of numbers is the version; whatever follows ('-2', '.x',
 * 'rc1', ' (build 5)') is a suffix and ignored. A leading 'v' is allowed.
 */
const VERSION = /^\s*v?(\d+(?:\.\d+)*)/i

/**
 * The numeric components, as digit strings without leading zeros (numbers of any
 * length compare exactly, no float rounding). Undefined when no number leads.
 */
export function parseVersion(text: string | undefined): string[] | undefined {
  if (typeof text !== 'string') return undefined
  const match = VERSION.exec(text)
  if (!match?.[1]) return undefined
  return match[1].split('.').map((part) => part.replace(/^0+(?=\d)/, ''))
}

/**
 * Negative, zero or positive, like a sort comparator. Components compare numerically
 * one by one and missing ones count as 0, so '8' = '8.0' = '8.0.0' and '7.10' > '7.9'.
 * Unparseable versions sort before every parseable one and equal each other, which
 * keeps this a total order over all strings.
 */
export function compareVersions(a: string | undefined, b: string | undefined): number {
  const left = parseVersion(a)
  const right = parseVersion(b)
  if (left === undefined || right === undefined) {
    return (left === undefined ? 0 : 1) - (right === undefined ? 0 : 1)
  }
  const length = Math.max(left.length, right.length)
  for (let i = 0; i < length; i++) {
    const order = compareDigits(left[i] ?? '0', right[i] ?? '0')
    if (order !== 0) return order
  }
  return 0
}

/** Non-negative integers without leading zeros: the longer is larger, else compare as text. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}
