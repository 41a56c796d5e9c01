import { createServer, type Server } from 'node:net'
import { setImmediate as tick } from 'node:timers/promises'
import { createTestCA, type TestCA } from '@xmpp-federation/testing'
import { createStreamContext, type StreamContext } from '../src/context.js'
import { StreamError } from '../src/errors.js'
import { acceptStream } from '../src/inbound.js'
import { saslExternal } from '../src/sasl-external.js'
import { createTlsIdentity, type SecurityPolicy } from '../src/security.js'
import { createTrustAnchors } from '../src/tls/index.js'
import { connectHostile } from './hostile-peer.js'
import { startTls, writeAsPeer } from './peer-script.js'
import { checkEnd, exitOf, type Watched, watch } from './session-checks.js'
import { trustingDialback } from './trusting-dialback.js'

/**
 * - clear: a listener without TLS, fed the whole input (dialback-shaped auth reaches stanzas);
 * - starttls: a listener that requires TLS, fed the input in clear (nothing may get through);
 * - tls: the same listener after a real STARTTLS with a valid client certificate, fed the input inside TLS.
 */
export type SessionMode = 'clear' | 'starttls' | 'tls'

export interface SessionOutcome {
  /** How the stream ended: `local:<condition>`, `remote:<condition>`, `clean`, `tls-aborted`, ... */
  readonly exit: string
  readonly stanzas: number
  /** The stanzas the session let through, serialized. */
  readonly delivered: readonly string[]
  readonly authenticated: number
  readonly durationMs: number
  /** Everything our side wrote, as the peer read it (clear, then inside TLS). */
  readonly received: string
  readonly problems: readonly string[]
}

export interface RunOptions {
  /** The client certificate of the `tls` mode; default one naming a.test, b.test, c.test and evil.test. */
  readonly cert?: { readonly chainPem: string; readonly keyPem: string }
}

export interface SessionHarness {
  /** One connection: writes `chunks`, then ends (or holds the connection open when `hold`). */
  run(
    mode: SessionMode,
    chunks: readonly Uint8Array[],
    hold: boolean,
    options?: RunOptions,
  ): Promise<SessionOutcome>
  /** The CA the listeners trust, to issue other client certificates. */
  readonly ca: TestCA
  close(): Promise<void>
}

export interface HarnessOptions {
  /** Where the listeners bind (port 0). Default 127.0.0.80. */
  host?: string
  /** Negotiation deadline of the listeners; a held connection must be cut by then. Default 500 ms. */
  negotiationMs?: number
  closeMs?: number
  /** Stanza byte budget of the listeners (default: the library's 512 KiB). */
  maxStanzaBytes?: number
}

const LOCAL_DOMAINS = ['c.test', 'd.test']
const PEER_DOMAINS = ['a.test', 'b.test', 'c.test', 'evil.test']
const NO_TLS: SecurityPolicy = { tls: 'none', requireValidCertificate: false }
const TLS_REQUIRED: SecurityPolicy = { tls: 'required', requireValidCertificate: true }

/** Two listeners of the real stream code (with and without TLS) and a client that speaks fuzz input to them. */
export async function startSessionHarness(options: HarnessOptions = {}): Promise<SessionHarness> {
  const host = options.host ?? '127.0.0.80'
  const negotiationMs = options.negotiationMs ?? 500
  const closeMs = options.closeMs ?? 100
  const ca = await createTestCA()
  const server = await ca.issue({ dnsNames: LOCAL_DOMAINS })
  const client = await ca.issue({ dnsNames: PEER_DOMAINS })
  const context = (security: SecurityPolicy): StreamContext =>
    createStreamContext({
      localDomains: LOCAL_DOMAINS,
      auth: [saslExternal(), trustingDialback()],
      tls: createTlsIdentity({
        anchors: createTrustAnchors({ ca: [ca.certPem] }),
        credentials: { '*': { cert: server.chainPem, key: server.keyPem } },
      }),
      security,
      timeouts: { negotiationMs, closeMs, keepaliveMs: 0 },
      limits: options.maxStanzaBytes ? { maxStanzaBytes: options.maxStanzaBytes } : undefined,
    })
  const contexts = { clear: context(NO_TLS), secure: context(TLS_REQUIRED) }
  // Sessions are matched to their peers by the peer's port, so runs may overlap.
  const accepted = new Map<number, Watched>()
  const waiting = new Map<number, (w: Watched) => void>()
  const serve = (context: StreamContext) =>
    createServer((socket) => {
      const watched = watch(acceptStream(socket, context))
      const port = socket.remotePort ?? 0
      const waiter = waiting.get(port)
      waiting.delete(port)
      if (waiter) waiter(watched)
      else accepted.set(port, watched)
    })
  const servers = { clear: serve(contexts.clear), secure: serve(contexts.secure) }
  for (const server of Object.values(servers)) {
    await new Promise<void>((resolve) => server.listen(0, host, resolve))
  }
  const sessionFor = (port: number) =>
    new Promise<Watched>((resolve) => {
      const ready = accepted.get(port)
      accepted.delete(port)
      if (ready) resolve(ready)
      else waiting.set(port, resolve)
    })
  const portOf = (s: Server) => (s.address() as { port: number }).port

  return {
    ca,
    async run(mode, chunks, hold, runOptions = {}) {
      const started = performance.now()
      const port = portOf(mode === 'clear' ? servers.clear : servers.secure)
      const peer = await connectHostile(host, port)
      const watched = await sessionFor(peer.socket.localPort ?? 0)
      const problems = watched.problems
      const secured = mode === 'tls' && (await startTls(peer, chunks, runOptions.cert ?? client, problems))
      if (mode !== 'tls' || secured) {
        await writeAsPeer(peer, chunks)
      } else {
        peer.socket.destroy()
      }
      const finished = Promise.all([watched.closed, peer.closed])
      if (hold) {
        // A peer that says no more: the negotiation deadline must cut it, unless it authenticated.
        const session = watched.session
        const established = new Promise<void>((resolve) => {
          if (session.phase === 'established') resolve()
          else session.once('established', () => resolve())
        })
        const cut = await within(Promise.race([watched.closed, established]), negotiationMs + closeMs + 1000)
        if (!cut) {
          problems.push(`held connection still open ${negotiationMs + closeMs + 1000} ms after its last byte`)
        }
      }
      peer.end()
      if (!(await within(finished, closeMs + 1500))) {
        problems.push(`socket still open ${closeMs + 1500} ms after the peer ended (hang)`)
        peer.socket.destroy()
        await within(finished, 1000)
      }
      await tick()
      const info = await watched.closed
      // On a busy machine the negotiation deadline may fall inside our own handshake: not a fault.
      const timedOut = info.error instanceof StreamError && info.error.condition === 'connection-timeout'
      if (mode === 'tls' && !secured && !timedOut && peer.clear().includes('<proceed')) {
        problems.push('TLS handshake with a valid certificate failed')
      }
      checkEnd(mode, watched, info, peer, problems)
      return {
        exit: exitOf(info, watched, peer),
        stanzas: watched.stanzas,
        delivered: watched.delivered,
        authenticated: watched.session.authenticatedPairs.length,
        durationMs: performance.now() - started,
        received: peer.text(),
        problems,
      }
    },
    async close() {
      await Promise.all(
        Object.values(servers).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      )
    },
  }
}

function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
