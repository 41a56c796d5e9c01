import { randomBytes } from 'node:crypto'

/**
 * A fresh certificate serial number (hex). RFC 5280 §4.1.2.2: positive and at most
 * 20 octets. 16 random octets, the top bit cleared so it stays positive and the next
 * one set so DER never drops a leading zero octet.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40
  return bytes.toString('hex')
}

const HOUR = 3_600_000

/** An hour ago: a certificate made now is valid on a peer whose clock runs a little behind. */
export function backdated(now: Date): Date {
  return new Date(now.getTime() - HOUR)
}
