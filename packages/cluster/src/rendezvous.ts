import { createHash } from 'node:crypto'

/**
 * Rendezvous (highest random weight) hashing: every node computes the same choice from the
 * same candidates, and a node leaving moves only the pairs it would have had.
 */
export function rendezvous(pair: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestWeight = ''
  for (const candidate of candidates) {
    const weight = createHash('sha256').update(`${candidate}\n${pair}`).digest('hex')
    if (best === undefined || weight > bestWeight) {
      best = candidate
      bestWeight = weight
    }
  }
  return best
}
