/**
 * The P1/P5 baseline: plain Node TLS sockets carrying the same serialized stanzas, parsed by
 * ltx's SAX parser into elements. Both ends use the dependencies our library is built on
 * (node:tls, ltx) at their best: writes batched per macrotask (cork/uncork), no checks at all.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server, type TLSSocket, connect as tlsConnect } from 'node:tls'
import { xml } from '@xmpp-federation/router'
import { loadBody } from '../lib/message.js'
import { createStanzaSplitter } from '../lib/stanza-splitter.js'
import type { TlsFiles } from './tls-files.js'
import { recordLoad, setSender } from './traffic.js'

let server: Server | undefined
const clients: TLSSocket[] = []
/** P4 baseline: mutually authenticated TLS connections held open, doing nothing. */
let held = 0

const HEADER = (from: string, to: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' from='${from}' to='${to}' version='1.0'>`

async function listenFor(args: { host: string; port: number; files: TlsFiles }): Promise<void> {
  const tlsServer = createServer(
    {
      cert: readFileSync(args.files.cert),
      key: readFileSync(args.files.key),
      ca: readFileSync(args.files.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      socket.setNoDelay(true)
      socket.on(
        'data',
        createStanzaSplitter((stanza) => recordLoad(stanza.getChildText('body') ?? '')),
      )
      socket.on('error', () => {})
    },
  )
  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject)
    tlsServer.listen(args.port, args.host, () => resolve())
  })
  server = tlsServer
}

/**
 * Opens one connection per remote domain (P1: one; P5: K) and sends round-robin over them,
 * each socket corked for the rest of the macrotask: one write per socket per burst.
 */
async function connect(args: {
  local: string
  remotes: string[]
  host: string
  port: number
  files: TlsFiles
}): Promise<void> {
  const cert = readFileSync(args.files.cert)
  const key = readFileSync(args.files.key)
  const ca = readFileSync(args.files.ca)
  const links: { socket: TLSSocket; to: string; corked: boolean }[] = []
  for (const remote of args.remotes) {
    // The server shows one certificate for every name: its chain is checked, the name is not
    // (a handshake cost, outside what is measured).
    const socket = tlsConnect({
      host: args.host,
      port: args.port,
      servername: remote,
      cert,
      key,
      ca,
      checkServerIdentity: () => undefined,
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve())
      socket.once('error', reject)
    })
    socket.setNoDelay(true)
    socket.write(HEADER(args.local, remote))
    links.push({ socket, to: `sink@${remote}`, corked: false })
  }
  clients.push(...links.map((link) => link.socket))
  const from = `load@${args.local}/bench`
  // One setImmediate per turn uncorks every socket written to in it, as the library's streams
  // share one flush per turn: over K sockets neither side pays an Immediate per socket.
  let corked: (typeof links)[number][] = []
  const uncorkAll = () => {
    const now = corked
    corked = []
    for (const link of now) {
      link.corked = false
      link.socket.uncork()
    }
  }
  setSender((seq, sentUs) => {
    const link = links[seq % links.length]!
    if (!link.corked) {
      link.corked = true
      link.socket.cork()
      if (corked.length === 0) setImmediate(uncorkAll)
      corked.push(link)
    }
    link.socket.write(
      xml(
        'message',
        { from, to: link.to, type: 'chat', id: `m${seq}` },
        xml('body', {}, loadBody(seq, sentUs)),
      ).toString(),
    )
  })
}

/** The P4 floor: a node:tls server that asks for client certificates and holds every connection. */
async function hold(args: { host: string; port: number; files: TlsFiles }): Promise<void> {
  const tlsServer = createServer({
    cert: readFileSync(args.files.cert),
    key: readFileSync(args.files.key),
    ca: readFileSync(args.files.ca),
    requestCert: true,
    rejectUnauthorized: true,
  })
  tlsServer.on('secureConnection', (socket) => {
    held++
    socket.on('data', () => {})
    socket.on('error', () => {})
    socket.on('close', () => held--)
  })
  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject)
    tlsServer.listen(args.port, args.host, () => resolve())
  })
  server = tlsServer
}

async function stop(): Promise<void> {
  for (const socket of clients.splice(0)) socket.destroy()
  const listener = server
  server = undefined
  if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()))
}

export const baselineCommands = {
  'baseline.listen': listenFor,
  'baseline.connect': connect,
  'baseline.hold': hold,
  'baseline.held': () => held,
  'baseline.stop': stop,
}

export const baselineShutdown = stop
