/**
 * The load: chat messages of about 200 bytes on the wire, whose body carries a sequence number
 * and the send time (µs, monotonic clock), padded to a fixed length.
 */
export const BODY_CHARS = 110

export function loadBody(seq: number, sentUs: number): string {
  const head = `${seq} ${sentUs} `
  return head + PADDING.slice(0, Math.max(0, BODY_CHARS - head.length))
}

const PADDING = 'x'.repeat(BODY_CHARS)

/** The send time a load body carries, or NaN. */
export function sentUsOf(body: string): number {
  const space = body.indexOf(' ')
  return Number(body.slice(space + 1, body.indexOf(' ', space + 1)))
}

/** Stanza ids of single measured messages (P2 sentinels, P3 probes) start with this. */
export const PROBE_PREFIX = 'probe-'
