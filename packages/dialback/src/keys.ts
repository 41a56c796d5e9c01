import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** Computes the dialback key for one stream: who receives it, who originates it, and the stream id. */
export type KeyMaker = (receiving: string, originating: string, streamId: string) => string

/**
 * XEP-0185 §2: key = HMAC-SHA256(SHA256(secret) in hex, receiving ' ' originating ' ' streamId),
 * in hex. The secret is hashed once here: it is the same for every key.
 */
export function createKeyMaker(secret: string): KeyMaker {
  // §2 note 2: hashing first gives the HMAC a full-length key even for a short secret.
  const hmacKey = createHash('sha256').update(secret, 'utf8').digest('hex')
  return (receiving, originating, streamId) =>
    createHmac('sha256', hmacKey).update(`${receiving} ${originating} ${streamId}`, 'utf8').digest('hex')
}

/** One-off form of {@link createKeyMaker}. */
export function dialbackKey(
  secret: string,
  receiving: string,
  originating: string,
  streamId: string,
): string {
  return createKeyMaker(secret)(receiving, originating, streamId)
}

/**
 * Compares a received key with the expected one in constant time. Both are
 * hashed first, so neither their content nor their lengths show in the timing.
 */
export function keysEqual(received: string, expected: string): boolean {
  return timingSafeEqual(digest(received), digest(expected))
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}
