import tls from 'node:tls'

// @xmpp/client upgrades a c2s stream with tls.connect({ socket, host }) and
// has no option for trust anchors, so a test CA cannot reach it. We wrap
// tls.connect once, process-wide, and the wrapper adds `ca` only when the
// socket being upgraded was registered here by one of our logins; every other
// call passes through untouched.

const caBySocket = new WeakMap<object, string>()
let installed = false

/** Trust `ca` (PEM) when `socket` is upgraded to TLS, instead of the system roots. */
export function trustOnUpgrade(socket: object, ca: string): void {
  installTlsConnectWrapper()
  caBySocket.set(socket, ca)
}

type TlsConnect = typeof tls.connect

function installTlsConnectWrapper(): void {
  if (installed) return
  installed = true
  const mutableTls = tls as { connect: TlsConnect }
  const original = mutableTls.connect
  mutableTls.connect = function connectWithTestTrust(this: unknown, ...args: unknown[]) {
    const [options] = args
    if (isObject(options) && isObject(options.socket) && options.ca === undefined) {
      const ca = caBySocket.get(options.socket)
      if (ca !== undefined) args[0] = { ...options, ca }
    }
    return (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args)
  } as TlsConnect
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
