import { connect as netConnect, type Socket } from 'node:net'
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls'

/**
 * A peer that writes exactly the bytes a test or the fuzzer gives it, and
 * records everything it receives (in clear, then decrypted once it has done
 * STARTTLS itself). It never answers on its own: it is the hostile end.
 */
export interface HostilePeer {
  readonly socket: Socket
  readonly tls: TLSSocket | undefined
  /** Writes to the TLS socket once there is one, else in clear; false when the connection no longer takes data. */
  write(data: string | Uint8Array): boolean
  /** Bytes received in clear (before TLS). */
  clear(): Buffer
  /** Bytes received inside TLS. */
  secure(): Buffer
  /** Everything received, as text. */
  text(): string
  /** Resolves true once `needle` was received (in clear or in TLS), false after `timeoutMs` or on close. */
  waitFor(needle: string | RegExp | ((received: string) => boolean), timeoutMs?: number): Promise<boolean>
  /** TLS client handshake on the connection (after the server's `<proceed/>`); false if it failed. */
  startTls(servername: string, cert?: { chainPem: string; keyPem: string }): Promise<boolean>
  /** The server reset the connection: what it wrote last may never have arrived. */
  readonly reset: boolean
  /** Half-close: FIN (and TLS close_notify). */
  end(): void
  /** Resolves when the TCP connection is fully closed. */
  readonly closed: Promise<void>
  /** Resolves when the server is done sending (its FIN, a reset, or the close). */
  readonly ended: Promise<void>
}

export async function connectHostile(host: string, port: number): Promise<HostilePeer> {
  // Half-open allowed: the server's FIN does not stop this peer from writing, as it would not stop an attacker.
  const socket = netConnect({ host, port, allowHalfOpen: true })
  socket.setNoDelay(true)
  let reset = false
  // A reset is the server's right (Linux then drops what was not read yet); remember it.
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNRESET') reset = true
  })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  const clear: Buffer[] = []
  const secure: Buffer[] = []
  let tls: TLSSocket | undefined
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const listener of listeners) listener()
  }
  const onClear = (d: Buffer) => {
    clear.push(d)
    notify()
  }
  socket.on('data', onClear)
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  const ended = new Promise<void>((resolve) => {
    socket.once('end', () => resolve())
    void closed.then(() => resolve())
  })
  const text = () => Buffer.concat([...clear, ...secure]).toString('utf8')

  return {
    socket,
    get tls() {
      return tls
    },
    get reset() {
      return reset
    },
    write(data) {
      const target = tls ?? socket
      if (!target.writable) return false
      target.write(data)
      return true
    },
    clear: () => Buffer.concat(clear),
    secure: () => Buffer.concat(secure),
    text,
    waitFor(needle, timeoutMs = 3000) {
      return new Promise((resolve) => {
        const check = () => {
          const received = text()
          const found =
            typeof needle === 'string'
              ? received.includes(needle)
              : typeof needle === 'function'
                ? needle(received)
                : needle.test(received)
          if (found) done(true)
        }
        const done = (ok: boolean) => {
          listeners.delete(check)
          clearTimeout(timer)
          resolve(ok)
        }
        const timer = setTimeout(() => done(false), timeoutMs)
        listeners.add(check)
        void closed.then(() => setTimeout(() => done(false), 0))
        check()
      })
    },
    async startTls(servername, cert) {
      socket.off('data', onClear)
      // allowHalfOpen reaches the TLSSocket (Node passes it through); @types/node does not list it.
      const options: ConnectionOptions & { allowHalfOpen: boolean } = {
        socket,
        servername,
        ...(cert ? { cert: cert.chainPem, key: cert.keyPem } : {}),
        rejectUnauthorized: false,
        allowHalfOpen: true,
      }
      const upgraded = tlsConnect(options)
      upgraded.on('error', () => {})
      upgraded.on('data', (d: Buffer) => {
        secure.push(d)
        notify()
      })
      tls = upgraded
      return new Promise<boolean>((resolve) => {
        upgraded.once('secureConnect', () => resolve(true))
        upgraded.once('close', () => resolve(false))
      })
    },
    end: () => (tls ?? socket).end(),
    closed,
    ended,
  }
}

/** An s2s stream header as a peer writes it (`extra` replaces the version attribute). */
export function peerHeader(from: string, to: string, extra = "version='1.0'"): string {
  return `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}' ${extra}>`
}

export const STARTTLS = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

/** SASL EXTERNAL `<auth/>` asserting `authzid` (XEP-0178). */
export function externalAuth(authzid: string): string {
  return `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>${Buffer.from(authzid).toString('base64')}</auth>`
}
