/**
 * A worker running one `createFederation()`: the library as a host uses it. It receives load
 * (counted by the traffic recorder), sends load to one or many remote domains, sends single
 * probe messages whose delivery time is reported, and counts its sessions.
 */
import type { FederationConfigInput } from '@xmpp-federation/config'
import { createFederation, type Federation, type FederationOptions, xml } from '@xmpp-federation/router'
import { nowUs } from '../lib/clock.js'
import { emit } from '../lib/events.js'
import { loadBody, PROBE_PREFIX } from '../lib/message.js'
import { recordLoad, setSender } from './traffic.js'

let federation: Federation | undefined
const counts = { inbound: 0, outbound: 0, bounces: 0, sendErrors: 0, firstError: '' }

function current(): Federation {
  if (!federation) throw new Error('no federation: call federation.start first')
  return federation
}

function onError(error: Error): void {
  counts.sendErrors++
  counts.firstError ||= error.message
}

async function start(args: {
  config: FederationConfigInput
  connectionRate?: FederationOptions['connectionRate']
  /** XEP-0092 answer timeout and lifetimes (P3's known-peer cases make answers stale at once). */
  peerSoftware?: FederationOptions['peerSoftware']
}): Promise<void> {
  if (federation) await federation.stop()
  counts.inbound = counts.outbound = counts.bounces = counts.sendErrors = 0
  counts.firstError = ''
  // Bench workers stand for many peer servers behind one loopback address (P4's 10,000
  // streams, P5's 1,000 domains): the per-address connection rate is not what is measured.
  const fed = createFederation({
    config: args.config,
    connectionRate: args.connectionRate ?? { perSecond: 1_000_000 },
    ...(args.peerSoftware ? { peerSoftware: args.peerSoftware } : {}),
  })
  fed.on('stanza', (stanza) => {
    const id = stanza.attrs.id
    if (id?.startsWith(PROBE_PREFIX)) emit('delivered', { id, atUs: nowUs() })
    else recordLoad(stanza.getChildText('body') ?? '')
  })
  fed.on('session', (event) => {
    if (event.state !== 'established') return
    if (event.direction === 'inbound') counts.inbound++
    else counts.outbound++
  })
  fed.on('bounce', (event) => {
    counts.bounces++
    counts.firstError ||= `bounce: ${event.condition} ${event.reason}`
  })
  await fed.start()
  federation = fed
}

/** Load goes from `from` to `sink@<domain>`, round-robin over `domains`. */
function loadTo(args: { from: string; domains: string[] }): void {
  const fed = current()
  const targets = args.domains.map((domain) => `sink@${domain}`)
  setSender((seq, sentUs) => {
    fed
      .send(
        xml(
          'message',
          { from: args.from, to: targets[seq % targets.length], type: 'chat', id: `m${seq}` },
          xml('body', {}, loadBody(seq, sentUs)),
        ),
      )
      .catch(onError)
  })
}

/** One message; resolves with when send() was called and when it resolved (written to a stream). */
async function probe(args: {
  from: string
  to: string
  id: string
}): Promise<{ sentUs: number; writtenUs: number }> {
  const message = xml('message', {
    from: args.from,
    to: args.to,
    type: 'chat',
    id: `${PROBE_PREFIX}${args.id}`,
  })
  message.c('body').t(`probe ${args.id}`)
  const sentUs = nowUs()
  await current().send(message)
  return { sentUs, writtenUs: nowUs() }
}

/**
 * Resolves once the peer has acknowledged (XEP-0198) everything written: a stream closed
 * before then leaves its stanzas to resend, and the next send waits behind that redial.
 */
async function settled(args: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (args.timeoutMs ?? 5_000)
  const waiting = () =>
    current()
      .status()
      .domains.some((d) => d.direction === 'outbound' && (d.unacknowledged > 0 || d.queued > 0))
  while (waiting()) {
    if (Date.now() > deadline) throw new Error('stanzas still unacknowledged')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function stop(): Promise<void> {
  const fed = federation
  federation = undefined
  await fed?.stop()
}

export const federationCommands = {
  'federation.start': start,
  'federation.loadTo': loadTo,
  'federation.probe': probe,
  'federation.counts': () => ({ ...counts }),
  'federation.settled': settled,
  'federation.stop': stop,
}

export const federationShutdown = stop
