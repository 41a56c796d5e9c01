/**
 * Many outbound streams from one process, each from its own domain (p1.test, p2.test...) and
 * authenticated with SASL EXTERNAL by its own certificate: the other end of P4, where one
 * process holds them all as inbound streams. The stream layer alone keeps this side light.
 */
import { readFileSync } from 'node:fs'
import { type Socket, connect as tcpConnect } from 'node:net'
import { createSecureContext, type SecureContext, type TLSSocket, connect as tlsConnect } from 'node:tls'
import {
  connectStream,
  createStreamContext,
  createTrustAnchors,
  type OutboundSession,
  saslExternal,
  type TlsIdentity,
} from '@xmpp-federation/stream'

const sessions: OutboundSession[] = []
const sockets: TLSSocket[] = []

interface OpenArgs {
  /** Local domains to open one stream each from. */
  domains: string[]
  /** domain -> certificate file; every leaf shares `keyFile`. */
  certFiles: Record<string, string>
  keyFile: string
  caFile: string
  remote: string
  host: string
  port: number
  /** Source address of the connections. */
  localAddress: string
  /** Handshakes in flight at once. */
  concurrency: number
}

async function open(args: OpenArgs): Promise<{ opened: number; failed: number; firstError?: string }> {
  const key = readFileSync(args.keyFile)
  // One secure context per domain, made when its stream opens (and kept by its socket only).
  const tls: TlsIdentity = {
    anchors: createTrustAnchors({ ca: [readFileSync(args.caFile, 'utf8')] }),
    contextFor: (domain): SecureContext =>
      createSecureContext({ cert: readFileSync(args.certFiles[domain]!), key, minVersion: 'TLSv1.2' }),
  }
  const context = createStreamContext({
    localDomains: args.domains,
    auth: [saslExternal()],
    tls,
    timeouts: { keepaliveMs: 0, negotiationMs: 120_000 },
  })
  let opened = 0
  let failed = 0
  let firstError: string | undefined
  let next = 0
  const lane = async () => {
    while (next < args.domains.length) {
      const domain = args.domains[next++]!
      try {
        const socket = await dial(args.host, args.port, args.localAddress)
        sessions.push(
          await connectStream({
            context,
            localDomain: domain,
            remoteDomain: args.remote,
            host: args.host,
            port: args.port,
            socket,
          }),
        )
        opened++
      } catch (error) {
        failed++
        firstError ??= `${domain}: ${(error as Error).message}`
      }
    }
  }
  await Promise.all(Array.from({ length: args.concurrency }, lane))
  return { opened, failed, firstError }
}

/** The P4 floor: plain TLS connections with the same certificates, nothing on top. */
async function openTls(args: OpenArgs): Promise<{ opened: number; failed: number; firstError?: string }> {
  const key = readFileSync(args.keyFile)
  const ca = readFileSync(args.caFile)
  let opened = 0
  let failed = 0
  let firstError: string | undefined
  let next = 0
  const lane = async () => {
    while (next < args.domains.length) {
      const domain = args.domains[next++]!
      try {
        const tcp = await dial(args.host, args.port, args.localAddress)
        const socket = tlsConnect({
          socket: tcp,
          servername: args.remote,
          cert: readFileSync(args.certFiles[domain]!),
          key,
          ca,
        })
        await new Promise<void>((resolve, reject) => {
          socket.once('secureConnect', () => resolve())
          socket.once('error', reject)
        })
        socket.on('error', () => {})
        sockets.push(socket)
        opened++
      } catch (error) {
        failed++
        firstError ??= `${domain}: ${(error as Error).message}`
      }
    }
  }
  await Promise.all(Array.from({ length: args.concurrency }, lane))
  return { opened, failed, firstError }
}

function dial(host: string, port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port, localAddress })
    socket.setNoDelay(true)
    socket.once('connect', () => {
      socket.removeAllListeners('error')
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

async function closeAll(): Promise<void> {
  for (const socket of sockets.splice(0)) socket.destroy()
  const all = sessions.splice(0)
  await Promise.all(all.map((session) => session.close()))
}

export const crowdCommands = {
  'crowd.open': open,
  'crowd.openTls': openTls,
  'crowd.close': closeAll,
}

export const crowdShutdown = closeAll
