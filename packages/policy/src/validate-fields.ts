import { type DomainPattern, formatPattern, parseDomainPattern } from './domain-match.js'
import { normalizeDomain } from './domain-name.js'
import type { PolicyProblem } from './policy-problem.js'
import type { DomainLimits } from './types.js'

/** Checks of single values, shared by the sections of validatePolicyConfig. */

export type Report = (problem: PolicyProblem) => void

export const at = (path: string, index: number) => `${path}[${index}]`
export const key = (path: string, name: string) => `${path}[${JSON.stringify(name)}]`

export function checkEnum(path: string, value: unknown, allowed: readonly string[], report: Report): void {
  if (typeof value === 'string' && allowed.includes(value)) return
  report({
    path,
    code: 'INVALID_VALUE',
    severity: 'error',
    message: `${JSON.stringify(value)} is not one of ${allowed.map((v) => `'${v}'`).join(', ')}`,
    fix: `set ${path} to one of ${allowed.map((v) => `'${v}'`).join(', ')}`,
  })
}

export function checkBoolean(path: string, value: unknown, report: Report): void {
  if (typeof value === 'boolean') return
  report({
    path,
    code: 'INVALID_VALUE',
    severity: 'error',
    message: `${JSON.stringify(value)} is not a boolean`,
    fix: `set ${path} to true or false`,
  })
}

export function checkExactDomain(path: string, domain: string, report: Report): string | undefined {
  const normalized = normalizeDomain(domain)
  if (normalized === undefined) {
    report({
      path,
      code: 'INVALID_DOMAIN',
      severity: 'error',
      message: `${JSON.stringify(domain)} is not a valid domain name`,
      fix: 'write a DNS domain name such as example.com (IDNs are accepted and converted to A-labels)',
    })
  }
  return normalized
}

/** Checks each entry, and reports duplicates (same entry after normalization). */
export function checkPatterns(
  path: string,
  entries: readonly string[],
  report: Report,
): (DomainPattern | undefined)[] {
  const seen = new Map<string, number>()
  return entries.map((entry, index) => {
    const pattern = parseDomainPattern(entry)
    if (pattern === undefined) {
      report({
        path: at(path, index),
        code: 'INVALID_PATTERN',
        severity: 'error',
        message: `${JSON.stringify(entry)} is neither a domain nor a *.domain wildcard`,
        fix: 'write example.com (that domain only) or *.example.com (its subdomains at any depth)',
      })
      return undefined
    }
    const canonical = formatPattern(pattern)
    const first = seen.get(canonical)
    if (first === undefined) {
      seen.set(canonical, index)
    } else {
      report({
        path: at(path, index),
        code: 'DUPLICATE_ENTRY',
        severity: 'warning',
        message: `${canonical} is already listed at ${at(path, first)}`,
        fix: `remove ${at(path, index)}`,
      })
    }
    return pattern
  })
}

/** A domain standing for the pattern: the domain itself, or a generic subdomain of a wildcard. */
export function probeDomain(pattern: DomainPattern): string {
  return pattern.kind === 'exact' ? pattern.domain : `_wildcard.${pattern.suffix}`
}

export function checkLimits(path: string, limits: Partial<DomainLimits>, report: Report): void {
  const rules: Record<keyof DomainLimits, [(n: number) => boolean, string]> = {
    maxStanzaBytes: [(n) => Number.isInteger(n) && n >= 1, 'a positive whole number of bytes'],
    stanzasPerSecond: [(n) => Number.isFinite(n) && n > 0, 'a positive number'],
    burst: [(n) => Number.isFinite(n) && n >= 1, 'a number of at least 1'],
    maxStreams: [(n) => Number.isInteger(n) && n >= 1, 'a whole number of at least 1'],
  }
  for (const [field, [valid, expected]] of Object.entries(rules) as [
    keyof DomainLimits,
    (typeof rules)[keyof DomainLimits],
  ][]) {
    const value = limits[field]
    if (value === undefined) continue
    if (typeof value !== 'number' || !valid(value)) {
      report({
        path: `${path}.${field}`,
        code: 'INVALID_LIMIT',
        severity: 'error',
        message: `${JSON.stringify(value)} is not ${expected}`,
        fix: `set ${path}.${field} to ${expected}`,
      })
    } else if (field === 'maxStanzaBytes' && value < 10_000) {
      report({
        path: `${path}.${field}`,
        code: 'STANZA_LIMIT_TOO_LOW',
        severity: 'error',
        message: `${value} bytes is below the 10 000 bytes RFC 6120 §13.12 requires a server to accept`,
        fix: `set ${path}.${field} to 10000 or more`,
      })
    }
  }
}
