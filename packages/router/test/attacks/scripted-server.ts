import { createServer, type Server, type Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import type { IssuedCertificate } from '@xmpp-federation/testing'
import { ATTACK_HOST } from './hostile.js'

/**
 * The receiving end of our outbound streams, played by a hostile server: it
 * negotiates by the book (STARTTLS, SASL EXTERNAL, XEP-0198 enabled) and then
 * misbehaves the way `behaviour` says. Scripted on the raw bytes, never with our
 * own stream code, so what it accepts is what a foreign server would see.
 */
export type Misbehaviour =
  /** Reads every stanza and never sends `<a/>`. */
  | 'never-acks'
  /** Stops reading once authenticated: our writes pile up in the socket. */
  | 'never-reads'
  /** Reads one stanza, then drops the connection without an ack. */
  | 'drops-after-receipt'

export interface ScriptedServer {
  readonly port: number
  /** Connections accepted so far. */
  readonly connections: number
  /** Stanzas received inside authenticated streams, over all connections. */
  readonly stanzas: number
  /** The ids of those stanzas, in arrival order (a resent stanza appears again). */
  readonly ids: readonly string[]
  close(): Promise<void>
}

const SERVER_HEADER = (id: string, from: string, to: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' id='${id}' from='${from}' to='${to}' version='1.0'>`

export async function startScriptedServer(options: {
  domain: string
  cert: IssuedCertificate
  behaviour: Misbehaviour
  port?: number
}): Promise<ScriptedServer> {
  const sockets = new Set<Socket>()
  const stats = { connections: 0, stanzas: 0, ids: [] as string[] }
  const server: Server = createServer((raw) => {
    stats.connections++
    sockets.add(raw)
    raw.on('error', () => {})
    raw.on('close', () => sockets.delete(raw))
    script(raw, options, stats)
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, ATTACK_HOST, resolve))
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return stats.connections
    },
    get stanzas() {
      return stats.stanzas
    },
    get ids() {
      return stats.ids
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** One connection: clear header, STARTTLS, header, EXTERNAL, header, sm, then the misbehaviour. */
function script(
  raw: Socket,
  options: { domain: string; cert: IssuedCertificate; behaviour: Misbehaviour },
  stats: { connections: number; stanzas: number; ids: string[] },
): void {
  let received = ''
  let step = 0
  let secure: TLSSocket | undefined
  const write = (data: string) => (secure ?? raw).write(data)
  const header = (features: string) =>
    write(
      `${SERVER_HEADER(`s${stats.connections}-${step}`, options.domain, 'c.test')}<stream:features>${features}</stream:features>`,
    )
  const onData = (chunk: Buffer) => {
    received += chunk.toString('utf8')
    for (;;) {
      const before = step
      advance()
      if (step === before) break
    }
  }
  const take = (pattern: RegExp): boolean => {
    const match = pattern.exec(received)
    if (!match) return false
    received = received.slice(match.index + match[0].length)
    return true
  }
  const advance = () => {
    if (step === 0 && take(/<stream:stream[^>]*>/)) {
      header("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>")
      step = 1
    } else if (step === 1 && take(/<starttls[^>]*\/>/)) {
      write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
      raw.off('data', onData)
      secure = new TLSSocket(raw, {
        isServer: true,
        cert: options.cert.chainPem,
        key: options.cert.keyPem,
        requestCert: true,
        rejectUnauthorized: false,
      })
      secure.on('error', () => {})
      secure.on('data', onData)
      received = ''
      step = 2
    } else if (step === 2 && take(/<stream:stream[^>]*>/)) {
      header(
        "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms>",
      )
      step = 3
    } else if (step === 3 && take(/<auth[^>]*>[^<]*<\/auth>|<auth[^>]*\/>/)) {
      write("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
      step = 4
    } else if (step === 4 && take(/<stream:stream[^>]*>/)) {
      header("<sm xmlns='urn:xmpp:sm:3'/>")
      step = 5
    } else if (step === 5 && take(/<enable[^>]*\/>/)) {
      write("<enabled xmlns='urn:xmpp:sm:3'/>")
      step = 6
      if (options.behaviour === 'never-reads') secure?.pause()
    } else if (step === 6) {
      countStanzas()
    }
  }
  const countStanzas = () => {
    // Whole stanzas only: each ends with its closing tag at the top level of the stream.
    for (;;) {
      const match = /<(message|iq|presence)\b[^>]*\bid=['"]([^'"]*)['"][^>]*>[\s\S]*?<\/\1>/.exec(received)
      if (!match) return
      received = received.slice(match.index + match[0].length)
      stats.stanzas++
      stats.ids.push(match[2]!)
      if (options.behaviour === 'drops-after-receipt') {
        raw.destroy()
        return
      }
    }
  }
  raw.on('data', onData)
}
