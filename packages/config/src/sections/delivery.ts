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
  maxBufferedBytes: positiveInt.default(1048576).meta({
    description:
      'output one stream may hold because its peer does not read; past it the stream is closed with resource-constraint',
  }),
  maxBufferedBytesTotal: positiveInt.default(67108864).meta({
    description:
      'unread output of all streams together; past it, streams holding more than 64 KiB each are closed with resource-constraint',
  }),
  maxUnackedStanzas: positiveInt.default(10000).meta({
    description:
      'XEP-0198 window: stanzas written to one stream and not yet acknowledged; further stanzas wait in the queue for acks',
  }),
  maxUnackedBytes: positiveInt.default(2097152).meta({
    description: 'XEP-0198 window: characters of those stanzas, per stream (usually the bound that binds)',
  }),
  ackTimeoutMs: milliseconds.default(30000).meta({
    description: 'XEP-0198: a stream whose peer leaves an ack request unanswered this long is closed',
  }),
  maxDomainsPerCertificate: positiveInt.default(64).meta({
    description:
      'remote domains one peer certificate (e.g. a wildcard) may keep authenticated on inbound streams at once',
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
