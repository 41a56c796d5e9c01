import {
  type AddressRecord,
  type DnsLookup,
  DnsQueryError,
  type DnsQueryFailure,
  type SrvRecord,
} from '../src/resolve/index.js'

/** A zone as a table; addresses may be bare strings (no TTL) or records with one. */
export interface FakeZone {
  srv?: Record<string, SrvRecord[]>
  a?: Record<string, Array<string | AddressRecord>>
  aaaa?: Record<string, Array<string | AddressRecord>>
  /** Questions that fail, keyed like the log: 'SRV _xmpp-server._tcp.a.test', 'A x.a.test'. */
  failures?: Record<string, DnsQueryFailure>
}

export interface FakeDns extends DnsLookup {
  /** Every question asked, in order: 'SRV <name>', 'A <name>', 'AAAA <name>'. */
  readonly questions: string[]
}

/**
 * Answers like an authoritative server for the names in the table: NODATA for a
 * name that exists (or has names below it) without records of the type asked,
 * NXDOMAIN for any other name.
 */
export function fakeDns(zone: FakeZone = {}): FakeDns {
  const questions: string[] = []
  const owners = [zone.srv, zone.a, zone.aaaa].flatMap((table) => Object.keys(table ?? {}))
  const exists = (name: string) => owners.some((owner) => owner === name || owner.endsWith(`.${name}`))

  const answer = async <T>(question: string, name: string, records: T[] | undefined): Promise<T[]> => {
    questions.push(question)
    await Promise.resolve() // answers arrive later, like real ones
    const failure = zone.failures?.[question]
    if (failure) throw new DnsQueryError(failure, question, `${question}: ${failure}`)
    if (records && records.length > 0) return records
    const code = exists(name) ? 'NODATA' : 'NXDOMAIN'
    throw new DnsQueryError(code, question, `${question}: ${code}`)
  }
  const addresses = (list: Array<string | AddressRecord> | undefined) =>
    list?.map((entry) => (typeof entry === 'string' ? { address: entry } : entry))

  return {
    questions,
    srv: (name) => answer(`SRV ${name}`, name, zone.srv?.[name]),
    addresses: (name, family) =>
      family === 4
        ? answer(`A ${name}`, name, addresses(zone.a?.[name]))
        : answer(`AAAA ${name}`, name, addresses(zone.aaaa?.[name])),
  }
}

/** A DnsLookup that fails the test if anything asks it. */
export const noDns: DnsLookup = {
  srv: (name) => Promise.reject(new Error(`unexpected SRV question for ${name}`)),
  addresses: (name) => Promise.reject(new Error(`unexpected address question for ${name}`)),
}

/** random() returning the given values in turn; throws when they run out. */
export function randomSequence(...values: number[]): () => number {
  let index = 0
  return () => {
    if (index >= values.length) throw new Error(`random() called more than ${values.length} times`)
    return values[index++]!
  }
}

/** A small seeded PRNG (mulberry32) for statistical tests that must not flake. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const srv = (name: string, port: number, priority = 0, weight = 0): SrvRecord => ({
  name,
  port,
  priority,
  weight,
})
