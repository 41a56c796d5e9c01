import { randomBytes } from 'node:crypto'
import { type Client, client, xml } from '@xmpp/client'
import type { Element } from 'ltx'
import { createInbox } from './inbox.js'
import { trustOnUpgrade } from './tls-trust.js'

export interface LoginOptions {
  /** Bare JID of an existing account, e.g. alice@a.test. */
  jid: string
  password: string
  /** Address of the server's c2s listener (test peers have no DNS). */
  ip: string
  /** Default 5222. */
  port?: number
  /** PEM the client trusts for STARTTLS (test CA or the server's self-signed cert); omit for a server without TLS. */
  ca?: string
  /** Default: a random one. */
  resource?: string
  /** Whole login (connect, STARTTLS, SASL, bind, roster, presence); default 20 s. */
  timeoutMs?: number
}

/** A logged-in client: available, roster fetched (so Prosody treats it as an interested resource). */
export interface XmppUser {
  /** The bound full JID. */
  readonly jid: string
  readonly bareJid: string
  send(stanza: Element): Promise<void>
  /** The first incoming stanza (buffered ones included) for which predicate is true; default timeout 10 s. */
  nextStanza(predicate: (stanza: Element) => boolean, timeoutMs?: number): Promise<Element>
  /** Sends an iq and resolves with the result iq (rejects on an error iq). */
  request(iq: Element, timeoutMs?: number): Promise<Element>
  /** Closes the stream; idempotent. */
  stop(): Promise<void>
}

// Timeouts of @xmpp/client's single steps (stream open, STARTTLS answer, ...):
// its 2 s default is short for a busy 2-core box running two servers.
const stepTimeoutMs = 10_000

export async function loginUser(options: LoginOptions): Promise<XmppUser> {
  const { username, domain } = splitBareJid(options.jid)
  const service = `xmpp://${options.ip}:${options.port ?? 5222}`
  const resource = options.resource ?? `test-${randomBytes(3).toString('hex')}`
  const xmpp = client({
    service,
    domain,
    username,
    password: options.password,
    resource,
    timeout: stepTimeoutMs,
  })
  xmpp.reconnect.stop() // a failed login must fail the test, not retry in the background

  const inbox = createInbox<Element>({ describe: String })
  let lastError: Error | undefined
  xmpp.on('error', (error) => {
    lastError = error // without a listener, an 'error' event would crash the test process
  })
  xmpp.on('stanza', (stanza) => inbox.push(stanza))
  xmpp.on('status', (status) => {
    // 'connect': the raw TCP socket exists and STARTTLS has not happened yet
    if (status === 'connect' && options.ca && xmpp.socket) trustOnUpgrade(xmpp.socket, options.ca)
    // no reconnect: once the stream is gone, waiting for stanzas can only time out
    if (status === 'disconnect' || status === 'offline') {
      inbox.close(`${options.jid} is ${status}${lastError ? ` (${lastError.message})` : ''}`)
    }
  })

  const what = `login of ${options.jid} at ${service}`
  let jid: string
  try {
    jid = await withTimeout(goOnline(xmpp), options.timeoutMs ?? 20_000, what)
  } catch (error) {
    forceClose(xmpp)
    throw new Error(`${what} failed: ${(error as Error).message}`, { cause: error })
  }

  let stopping: Promise<void> | undefined
  return {
    jid,
    bareJid: `${username}@${domain}`,
    send: (stanza) => xmpp.send(stanza),
    nextStanza: (predicate, timeoutMs = 10_000) => inbox.next(predicate, timeoutMs),
    request: (iq, timeoutMs = stepTimeoutMs) => xmpp.iqCaller.request(iq, timeoutMs),
    stop() {
      stopping ??= withTimeout(xmpp.stop(), stepTimeoutMs, `stop of ${jid}`).then(
        () => undefined,
        () => forceClose(xmpp),
      )
      return stopping
    },
  }
}

async function goOnline(xmpp: Client): Promise<string> {
  const address = await xmpp.start()
  transportSocket(xmpp)?.setNoDelay?.(true) // the servers' latency, not Nagle's, is what tests see
  // RFC 6121: subscription presences and roster pushes go only to "interested"
  // resources, i.e. those that fetched the roster before sending presence.
  await xmpp.iqCaller.get(xml('query', { xmlns: 'jabber:iq:roster' }))
  await xmpp.send(xml('presence'))
  return address.toString()
}

function splitBareJid(jid: string): { username: string; domain: string } {
  const match = /^([^@/\s]+)@([^@/\s]+)$/.exec(jid)
  if (!match) throw new Error(`expected a bare JID like alice@a.test, got ${jid}`)
  return { username: match[1] as string, domain: match[2] as string }
}

/** The innermost socket: the TLSSocket after STARTTLS, the TCP socket before. */
function transportSocket(xmpp: Client) {
  return xmpp.socket?.socket ?? xmpp.socket
}

function forceClose(xmpp: Client): void {
  transportSocket(xmpp)?.destroy?.()
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
