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
  })
}
