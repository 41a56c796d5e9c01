import type { Candidate } from './plan.js'
import { orderByPriorityAndWeight } from './srv-order.js'
import type { ConnectionTarget } from './types.js'

/**
 * The try-in-turn list: candidates in RFC 2782 order (direct TLS and STARTTLS
 * records mixed as one set, XEP-0368 §3 rule 1), each expanded to its addresses
 * in the order given (A before AAAA; RFC 6120 §3.2.1 step 6). The same address,
 * port and TLS mode reached through two records is listed once, where it first appears.
 */
export function toConnectionTargets(
  candidates: readonly Candidate[],
  random: () => number,
): ConnectionTarget[] {
  const seen = new Set<string>()
  const targets: ConnectionTarget[] = []
  for (const candidate of orderByPriorityAndWeight(candidates, random)) {
    const { port, directTls, source, name } = candidate
    for (const host of candidate.addresses) {
      const key = `${directTls ? 'tls' : 'tcp'} ${host} ${port}`
      if (seen.has(key)) continue
      seen.add(key)
      targets.push({ host, port, directTls, source, hostname: name })
    }
  }
  return targets
}
