import { readFileSync } from 'node:fs'
import {
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  type StreamContext,
  saslExternal,
} from '@xmpp-federation/stream'

/** Certificate files of a side: its own chain and key, and the CA it trusts. */
export interface TlsFiles {
  cert: string
  key: string
  ca: string
}

/** A stream context (the stream layer alone, no router) for one local domain, EXTERNAL only. */
export function streamContextFor(domain: string, files: TlsFiles): StreamContext {
  return createStreamContext({
    localDomains: [domain],
    auth: [saslExternal()],
    tls: createTlsIdentity({
      anchors: createTrustAnchors({ ca: [readFileSync(files.ca, 'utf8')] }),
      credentials: { '*': { cert: readFileSync(files.cert), key: readFileSync(files.key) } },
    }),
    // The bench measures a link, not keepalive.
    timeouts: { keepaliveMs: 0 },
    // The stream-level sender writes its whole window at once, with no link to queue behind
    // the XEP-0198 window or the socket: the stream layer is measured without those limits.
    limits: {
      maxUnackedStanzas: Number.MAX_SAFE_INTEGER,
      maxUnackedBytes: Number.MAX_SAFE_INTEGER,
      maxBufferedBytes: Number.MAX_SAFE_INTEGER,
      maxBufferedBytesTotal: Number.MAX_SAFE_INTEGER,
    },
  })
}
