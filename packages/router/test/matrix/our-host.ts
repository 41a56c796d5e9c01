import { dialback } from '@xmpp-federation/dialback'
import { type AuthMechanism, saslExternal } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import { createFederation, type Federation, xml } from '../../src/index.js'
import { DIRECT_TLS_PORT, type MatrixMode } from './modes.js'

export interface OurHostOptions {
  readonly mode: MatrixMode
  readonly domain: string
  readonly ip: string
  readonly peer: { readonly domain: string; readonly ip: string }
  /** Our certificate and the CA file we trust; none in plaintext mode. */
  readonly files?: { readonly cert: string; readonly key: string; readonly ca: string }
}

/** Our side of a cell: a started federation, what it received, and an answer to presence. */
export interface OurHost {
  readonly federation: Federation
  /** The first stanza received (buffered ones included) for which predicate holds. */
  next(predicate: (stanza: Element) => boolean, timeoutMs?: number): Promise<Element>
  stop(): Promise<void>
}

/**
 * createFederation as a host would configure it for the mode: TLS and
 * certificate checks, a listener (5269, or 5270 with direct TLS), a static
 * route to the peer, and the auth mechanisms in the mode's order.
 */
export async function startOurHost(options: OurHostOptions): Promise<OurHost> {
  const { mode, files, peer } = options
  const port = mode.directTls ? DIRECT_TLS_PORT : 5269
  const federation = createFederation({
    config: {
      domains: [options.domain],
      // Direct TLS only, when the mode says so: a peer that fell back to STARTTLS would find
      // nobody, so a stream the peer opens proves it used XEP-0368.
      listen: [
        mode.directTls
          ? { host: options.ip, port: DIRECT_TLS_PORT, directTls: true }
          : { host: options.ip, port: 5269 },
      ],
      ...(files && { tls: { cert: files.cert, key: files.key, ca: [files.ca], systemCa: false } }),
      security: {
        tls: mode.certificates === 'none' ? 'none' : 'required',
        requireValidCertificate: mode.certificates === 'ca',
      },
      routes: { [peer.domain]: [{ host: peer.ip, port, directTls: mode.directTls }] },
    },
    auth: mode.ourAuth.map(mechanism),
  })
  const received: Element[] = []
  const waiters: Array<{ predicate: (s: Element) => boolean; resolve: (s: Element) => void }> = []
  federation.on('stanza', (stanza) => {
    answerPresence(federation, stanza)
    const waiter = waiters.find((w) => w.predicate(stanza))
    if (!waiter) return void received.push(stanza)
    waiters.splice(waiters.indexOf(waiter), 1)
    waiter.resolve(stanza)
  })
  await federation.start()
  return {
    federation,
    next(predicate, timeoutMs = 10_000) {
      const buffered = received.find(predicate)
      if (buffered) return Promise.resolve(received.splice(received.indexOf(buffered), 1)[0] as Element)
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve }
        waiters.push(waiter)
        setTimeout(() => {
          if (!waiters.includes(waiter)) return
          waiters.splice(waiters.indexOf(waiter), 1)
          const got = received.map((s) => `<${s.name} type=${s.attrs.type} from=${s.attrs.from}>`)
          reject(new Error(`no matching stanza within ${timeoutMs} ms; received ${got.join(', ') || 'none'}`))
        }, timeoutMs).unref()
      })
    },
    stop: () => federation.stop(),
  }
}

// One secret for every host of the run: any of them could answer a db:verify.
const DIALBACK_SECRET = 'interop-matrix-dialback-secret'

function mechanism(name: 'EXTERNAL' | 'dialback'): AuthMechanism {
  return name === 'EXTERNAL' ? saslExternal() : dialback({ secret: DIALBACK_SECRET, timeoutMs: 10_000 })
}

/**
 * RFC 6121 as a contact that accepts everyone: a subscription request is
 * approved and returned (so the peer's user ends with subscription 'both'),
 * and a probe is answered with our presence.
 */
function answerPresence(federation: Federation, stanza: Element): void {
  if (!stanza.is('presence')) return
  const me = stanza.attrs.to?.split('/')[0]
  const contact = stanza.attrs.from?.split('/')[0]
  if (!me || !contact) return
  const reply = (attrs: Record<string, string>) => {
    federation.send(xml('presence', { from: me, to: contact, ...attrs })).catch(() => {
      // a bounce shows as the test's missing stanza; nothing to add here
    })
  }
  if (stanza.attrs.type === 'subscribe') {
    reply({ type: 'subscribed' })
    reply({ type: 'subscribe' })
  } else if (stanza.attrs.type === 'probe') {
    reply({ from: `${me}/matrix` })
  }
}
