import { randomBytes } from 'node:crypto'

// XEP-0185 §2 note 3: the secret is configured, or generated randomly when the server starts.
// One random secret per process, so that every dialback() of a process agrees.
let processSecret: string | undefined

export interface DialbackSecret {
  readonly value: string
  /** True when no secret was configured and a random one stands in. */
  readonly generated: boolean
}

export function resolveSecret(configured: string | undefined): DialbackSecret {
  if (configured !== undefined) {
    if (configured.length === 0) throw new TypeError('the dialback secret must not be empty')
    return { value: configured, generated: false }
  }
  processSecret ??= randomBytes(32).toString('hex')
  return { value: processSecret, generated: true }
}

export const RANDOM_SECRET_WARNING =
  'no dialback secret configured: using a random one for this process; ' +
  'other nodes of this deployment cannot verify the keys it sends (configure a shared secret)'
