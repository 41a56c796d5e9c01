/**
 * A worker running the stream layer alone (connectStream / listen, no router): the P1 row that
 * separates the stream's cost from the router's.
 */
import type { Server } from 'node:net'
import { xml } from '@xmpp-federation/router'
import { connectStream, listen, type OutboundSession } from '@xmpp-federation/stream'
import { loadBody } from '../lib/message.js'
import { streamContextFor, type TlsFiles } from './tls-files.js'
import { recordLoad, setSender } from './traffic.js'

let server: Server | undefined
let outbound: OutboundSession | undefined

async function listenFor(args: {
  domain: string
  host: string
  port: number
  files: TlsFiles
}): Promise<void> {
  server = await listen(
    streamContextFor(args.domain, args.files),
    { host: args.host, port: args.port },
    (session) => {
      session.on('stanza', (stanza) => recordLoad(stanza.getChildText('body') ?? ''))
    },
  )
}

async function connect(args: {
  local: string
  remote: string
  host: string
  port: number
  files: TlsFiles
}): Promise<void> {
  const session = await connectStream({
    context: streamContextFor(args.local, args.files),
    localDomain: args.local,
    remoteDomain: args.remote,
    host: args.host,
    port: args.port,
  })
  outbound = session
  const from = `load@${args.local}/bench`
  const to = `sink@${args.remote}`
  setSender((seq, sentUs) => {
    session.sendStanza(
      xml('message', { from, to, type: 'chat', id: `m${seq}` }, xml('body', {}, loadBody(seq, sentUs))),
    )
  })
}

async function stop(): Promise<void> {
  await outbound?.close()
  outbound = undefined
  const listener = server
  server = undefined
  if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()))
}

export const streamCommands = {
  'stream.listen': listenFor,
  'stream.connect': connect,
  'stream.stop': stop,
}

export const streamShutdown = stop
