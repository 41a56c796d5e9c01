import { z } from 'zod'
import { milliseconds, positiveInt } from '../fields.js'

// What happens to stanzas while a session is being set up, and how long each step may take.

export const queueSchema = z.strictObject({
  maxStanzas: positiveInt
    .default(1000)
    .meta({ description: 'stanzas held per remote domain while connecting' }),
  maxBytes: positiveInt
    .default(1048576)
    .meta({ description: 'bytes held per remote domain while connecting' }),
  ttlMs: milliseconds
    .default(30000)
    .meta({ description: 'a held stanza bounces after this many milliseconds' }),
})

export const streamsSchema = z.strictObject({
  bidi: z.boolean().default(true).meta({
    description:
      'XEP-0288: one connection carries both directions. Offered to peers, and asked of peers whose certificate names their domain; fewer connections, and a peer that cannot accept connections can still receive',
  }),
})

export const timeoutsSchema = z.strictObject({
  connectMs: milliseconds.default(10000).meta({ description: 'TCP connect to one peer address' }),
  negotiationMs: milliseconds.default(30000).meta({ description: 'stream header to authenticated stream' }),
  keepaliveMs: milliseconds.default(60000).meta({ description: 'whitespace keepalive interval' }),
  idleMs: milliseconds.default(600000).meta({ description: 'an unused session is closed after this' }),
  dnsMs: milliseconds
    .default(5000)
    .meta({ description: 'whole resolution of a remote domain (SRV, then A/AAAA)' }),
})
