import type { Duplex } from 'node:stream'
import { type SecureContext, TLSSocket, connect as tlsConnect } from 'node:tls'
import type { TlsState } from './session.js'
import { peerChain, type TrustAnchors } from './tls/index.js'
import { presentedCertificate } from './tls/presented-certificate.js'
import { S2S_SECURE_OPTIONS } from './tls-options.js'

/** ALPN protocol id for XMPP server-to-server over direct TLS (XEP-0368). */
export const ALPN_XMPP_SERVER = 'xmpp-server'

/**
 * Client side of TLS on an existing socket (STARTTLS) or on a fresh one.
 * OpenSSL's own verification is switched off (`rejectUnauthorized: false`):
 * we check the chain and the name ourselves, so that the verdict is ours and
 * identical in both directions. SNI names the remote domain (RFC 6120 §13.7.1.1).
 * No session is offered or resumed; `secureOptions` only applies when there is
 * no context (no certificate of ours), else the context's own options do.
 */
export function startClientTls(
  socket: Duplex,
  options: { servername: string; context: SecureContext | undefined; alpn?: boolean },
): TLSSocket {
  return tlsConnect({
    socket,
    servername: options.servername,
    secureContext: options.context,
    rejectUnauthorized: false,
    secureOptions: S2S_SECURE_OPTIONS,
    ...(options.alpn ? { ALPNProtocols: [ALPN_XMPP_SERVER] } : {}),
  })
}

/** Picks our certificate by the name the peer asked for (SNI). */
type SniSource = { contextFor(servername: string): SecureContext | undefined }
type SniCallback = (
  servername: string,
  callback: (error: Error | null, context?: SecureContext) => void,
) => void

/** One SNI callback per (identity, fallback), shared by every socket: one per socket held a closure each. */
const sniCallbacks = new WeakMap<SniSource, WeakMap<SecureContext, SniCallback>>()

function sniCallbackFor(identity: SniSource, fallback: SecureContext): SniCallback {
  let byFallback = sniCallbacks.get(identity)
  if (!byFallback) {
    byFallback = new WeakMap()
    sniCallbacks.set(identity, byFallback)
  }
  let callback = byFallback.get(fallback)
  if (!callback) {
    callback = (servername, done) => done(null, identity.contextFor(servername) ?? fallback)
    byFallback.set(fallback, callback)
  }
  return callback
}

/**
 * Server side of TLS on an accepted socket: asks for the peer's certificate
 * (its ticket to SASL EXTERNAL) without letting OpenSSL reject it, and picks
 * our certificate by SNI (`fallback` when the peer names none we have).
 */
export function startServerTls(
  socket: Duplex,
  options: { identity: SniSource; fallback: SecureContext },
): TLSSocket {
  return new TLSSocket(socket, {
    isServer: true,
    requestCert: true,
    rejectUnauthorized: false,
    secureContext: options.fallback,
    ALPNProtocols: [ALPN_XMPP_SERVER],
    SNICallback: sniCallbackFor(options.identity, options.fallback),
  })
}

/** Resolves once the handshake is done, rejects on a TLS error or an early close. */
export function handshake(socket: TLSSocket, role: 'client' | 'server'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = role === 'client' ? 'secureConnect' : 'secure'
    const onDone = () => {
      cleanup()
      resolve()
    }
    const onError = (err: Error) => {
      cleanup()
      reject(err)
    }
    const onClose = () => {
      cleanup()
      reject(new Error('connection closed during the TLS handshake'))
    }
    const cleanup = () => {
      socket.off(done, onDone)
      socket.off('error', onError)
      socket.off('close', onClose)
    }
    socket.once(done, onDone)
    socket.once('error', onError)
    socket.once('close', onClose)
  })
}

/** What a finished handshake tells us, with our verdict on the peer's certificate. */
export function inspectTls(socket: TLSSocket, anchors: TrustAnchors, role: 'client' | 'server'): TlsState {
  // One read of the peer chain, reused for every later question about the peer.
  const presented = peerChain(socket)
  const peerCertificate =
    presented.length > 0 ? presentedCertificate({ socket, role, presented, anchors }) : undefined
  return {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? 'unknown',
    alpn: socket.alpnProtocol ?? false,
    peerCertificate,
  }
}
