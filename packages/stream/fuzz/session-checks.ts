import { domainOfAddress } from '../src/domain.js'
import { NegotiationError, StreamError } from '../src/errors.js'
import type { InboundSession } from '../src/inbound.js'
import type { CloseInfo } from '../src/session.js'
import type { HostilePeer } from './hostile-peer.js'
import type { SessionMode } from './session-target.js'
import { isRfcCondition, readOutput, streamErrorCondition } from './stream-output.js'

/** What the session invariants need to know about one inbound session. */
export interface Watched {
  session: InboundSession
  stanzas: number
  delivered: string[]
  closes: number
  closed: Promise<CloseInfo>
  problems: string[]
}

/** Every stanza the session lets through must come from a pair authenticated on it, while established. */
export function watch(session: InboundSession): Watched {
  const watched: Watched = {
    session,
    stanzas: 0,
    delivered: [],
    closes: 0,
    closed: session.closed,
    problems: [],
  }
  session.on('stanza', (stanza) => {
    watched.stanzas++
    watched.delivered.push(stanza.toString())
    const from = domainOfAddress(stanza.attrs.from ?? '')
    const to = domainOfAddress(stanza.attrs.to ?? '')
    if (session.phase !== 'established') watched.problems.push(`stanza emitted while ${session.phase}`)
    if (!from || !to || !session.isAuthenticated(to, from)) {
      watched.problems.push(`stanza for a pair not authenticated: ${from} -> ${to}`)
    }
    if (!to || !session.context.localDomains.has(to))
      watched.problems.push(`stanza to a foreign domain ${to}`)
  })
  session.on('closed', () => {
    watched.closes++
  })
  return watched
}

/**
 * How the stream ended must match what went over the wire: every error we
 * decided is a `<stream:error/>` with an RFC 6120 condition, then our closing
 * tag; everything we wrote is restricted XML; `closed` fired exactly once.
 */
export function checkEnd(
  mode: SessionMode,
  watched: Watched,
  info: CloseInfo,
  peer: HostilePeer,
  problems: string[],
): void {
  const clear = peer.clear()
  const secure = peer.tls ? peer.secure() : undefined
  if (watched.closes !== 1) problems.push(`'closed' emitted ${watched.closes} times`)
  if (mode === 'starttls' && (watched.stanzas > 0 || watched.session.authenticatedPairs.length > 0)) {
    problems.push('stanzas or authentication without TLS on a listener that requires it')
  }
  const streams = [...readOutput(clear), ...(secure ? readOutput(secure) : [])]
  for (const s of streams) if (s.error) problems.push(`we wrote malformed XML: ${s.error}`)
  const conditions = streams.flatMap((s) =>
    s.elements.map(streamErrorCondition).filter((c) => c !== undefined),
  )
  for (const c of conditions) if (!isRfcCondition(c)) problems.push(`stream error <${c}/> is not in RFC 6120`)
  if (conditions.length > 1) problems.push(`${conditions.length} stream errors written`)
  const last = streams.at(-1)
  const error = info.error
  // Ours to judge unless TLS was abandoned mid-handshake (closed without a word, on purpose)
  // or the reset that followed lost the end of what we wrote.
  const tlsAborted = !watched.session.tls && (clear.includes('<proceed') || peer.reset)
  if (error instanceof StreamError && error.origin === 'local' && !tlsAborted && !peer.reset) {
    if (conditions[0] !== error.condition) {
      problems.push(`closed with ${error.condition} but wrote ${conditions[0] ?? 'no stream error'}`)
    } else if (
      !last?.ended ||
      (last.elements.at(-1) && streamErrorCondition(last.elements.at(-1)!) === undefined)
    ) {
      problems.push('the stream error is not the last thing before our closing tag')
    }
  } else if (error instanceof NegotiationError && error.code === 'TLS_FAILED') {
    // STARTTLS refused (RFC 6120 §5.4.2.2): <failure/> then our closing tag, no stream error.
    if (!peer.text().includes('<failure xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>')) {
      problems.push('closed after refusing STARTTLS without writing <failure/>')
    }
  } else if (error && !(error instanceof StreamError) && !isSocketError(error)) {
    problems.push(`closed with a non-stream error: ${error.name}: ${error.message}`)
  } else if (conditions.length > 0 && !(error instanceof StreamError && error.origin === 'local')) {
    // A condition on the wire that the session does not know it sent.
    problems.push(`wrote <${conditions[0]}/> but closed with ${error?.message ?? 'no error'}`)
  }
}

function isSocketError(error: Error): boolean {
  return typeof (error as { code?: unknown }).code === 'string' && 'syscall' in error
}

export function exitOf(info: CloseInfo, watched: Watched, peer: HostilePeer): string {
  const error = info.error
  if (error instanceof StreamError) {
    const proceeded = peer.clear().includes('<proceed') || peer.reset
    if (error.origin === 'local' && !watched.session.tls && proceeded) return 'tls-aborted'
    return `${error.origin}:${error.condition}`
  }
  if (error instanceof NegotiationError) return `negotiation:${error.code}`
  if (error) return `error:${(error as { code?: string }).code ?? error.name}`
  return `clean:${info.initiator}`
}
