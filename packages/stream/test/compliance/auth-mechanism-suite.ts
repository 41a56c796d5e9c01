import type { AddressInfo, Server } from 'node:net'
import { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AuthMechanism,
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  InboundSession,
  listen,
  OutboundSession,
  type SecurityPolicy,
  type StreamContext,
  type StreamError,
} from '../../src/index.js'
import { createPki, type Pki } from '../fixtures.js'

/**
 * The contract every auth mechanism keeps, run against each of them (SASL EXTERNAL,
 * dialback, the fuzzers' test mechanism): a stream authenticates with it and the pair
 * carries its name; the mechanism is handed the auth view, never the session, and
 * cannot write the stream's security state; stanzas flow for the authenticated pair
 * only; a peer that vanishes mid-authentication fails the stream cleanly.
 */
export interface MechanismUnderTest {
  /** The mechanisms of one node, fresh for each node (the first one authenticates). */
  mechanisms(): AuthMechanism[]
  security: SecurityPolicy
}

interface Node {
  context: StreamContext
  port: number
  server: Server
  sessions: InboundSession[]
  nextSession(): Promise<InboundSession>
}

/** Every argument a mechanism received, to check what it was given. */
type Seen = unknown[]

function recording(mechanism: AuthMechanism, seen: Seen): AuthMechanism {
  const wrapped: AuthMechanism = { name: mechanism.name }
  if (mechanism.start) wrapped.start = (components) => mechanism.start?.(components)
  if (mechanism.advertise)
    wrapped.advertise = (stream, features) => {
      seen.push(stream)
      mechanism.advertise?.(stream, features)
    }
  if (mechanism.authenticate)
    wrapped.authenticate = (stream, features) => {
      seen.push(stream)
      return mechanism.authenticate!(stream, features)
    }
  if (mechanism.handle)
    wrapped.handle = (stream, element) => {
      seen.push(stream)
      return mechanism.handle!(stream, element)
    }
  if (mechanism.addPair)
    wrapped.addPair = (stream, local, remote) => {
      seen.push(stream)
      return mechanism.addPair!(stream, local, remote)
    }
  return wrapped
}

export function describeAuthMechanism(name: string, subject: MechanismUnderTest): void {
  describe(`auth mechanism contract: ${name}`, () => {
    let pki: Pki
    const seen: Seen = []
    const nodes: Record<string, Node> = {}
    const outbound: OutboundSession[] = []

    async function startNode(domain: string): Promise<Node> {
      const cert = pki.certs[domain]!
      const mechanisms = subject.mechanisms().map((m) => recording(m, seen))
      const context = createStreamContext({
        localDomains: [domain],
        auth: mechanisms,
        tls: createTlsIdentity({
          anchors: createTrustAnchors({ ca: [pki.ca.certPem] }),
          credentials: { [domain]: { cert: cert.chainPem, key: cert.keyPem } },
        }),
        security: subject.security,
        logger: false,
      })
      const sessions: InboundSession[] = []
      const waiting: ((s: InboundSession) => void)[] = []
      const server = await listen(context, { host: '127.0.0.1', port: 0 }, (session) => {
        sessions.push(session)
        for (const w of waiting.splice(0)) w(session)
      })
      const node = {
        context,
        server,
        sessions,
        port: (server.address() as AddressInfo).port,
        nextSession: () =>
          new Promise<InboundSession>((resolve) =>
            sessions.length ? resolve(sessions.at(-1)!) : waiting.push(resolve),
          ),
      }
      for (const mechanism of mechanisms) {
        mechanism.start?.({
          openVerificationStream: (local, remote) => dial(context, local, remote, false),
        })
      }
      return node
    }

    function dial(context: StreamContext, local: string, remote: string, authenticate = true) {
      return connectStream({
        context,
        localDomain: local,
        remoteDomain: remote,
        host: '127.0.0.1',
        port: nodes[remote]!.port,
        authenticate,
      })
    }

    async function connected() {
      nodes['d.test']!.sessions.length = 0
      const stream = await dial(nodes['c.test']!.context, 'c.test', 'd.test')
      outbound.push(stream)
      const inbound = await nodes['d.test']!.nextSession()
      return { stream, inbound }
    }

    beforeAll(async () => {
      pki = await createPki()
      nodes['c.test'] = await startNode('c.test')
      nodes['d.test'] = await startNode('d.test')
    })
    afterAll(async () => {
      await Promise.all(outbound.map((s) => s.close()))
      for (const node of Object.values(nodes)) {
        for (const s of node.sessions) void s.close()
        await new Promise((resolve) => node.server.close(resolve))
      }
    })

    it('authenticates a stream; the pair on each side carries the mechanism name', async () => {
      const { stream, inbound } = await connected()
      const expected = subject.mechanisms()[0]!.name
      expect(stream.authenticatedPairs).toEqual([{ local: 'c.test', remote: 'd.test', mechanism: expected }])
      await expect
        .poll(() => inbound.authenticatedPairs)
        .toEqual([{ local: 'd.test', remote: 'c.test', mechanism: expected }])
    })

    it('is handed the auth view, never the session, and cannot write the security state', async () => {
      await connected()
      expect(seen.length).toBeGreaterThan(0)
      for (const view of seen) {
        expect(view instanceof InboundSession || view instanceof OutboundSession).toBe(false)
        expect(view).not.toHaveProperty('context')
        expect(view).not.toHaveProperty('grant')
        expect(view).not.toHaveProperty('session')
        expect(() => {
          ;(view as { phase: string }).phase = 'established'
        }).toThrow(TypeError)
        expect(() => {
          ;(view as { tls: unknown }).tls = undefined
        }).toThrow(TypeError)
      }
    })

    it('the session keeps its security state read-only too', async () => {
      const { stream } = await connected()
      for (const field of ['phase', 'tls', 'bidi', 'streamId', 'peerHeader']) {
        expect(() => {
          ;(stream as unknown as Record<string, unknown>)[field] = 'forged'
        }, field).toThrow(TypeError)
      }
      expect((stream as unknown as Record<string, unknown>).authenticatePair).toBeUndefined()
    })

    it('carries stanzas for the authenticated pair only', async () => {
      const { stream, inbound } = await connected()
      const received: Element[] = []
      inbound.on('stanza', (s) => received.push(s))
      stream.sendStanza(new Element('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'ok' }))
      await expect.poll(() => received.map((s) => s.attrs.id)).toEqual(['ok'])
      expect(() =>
        stream.sendStanza(new Element('message', { from: 'bot@x.test', to: 'eve@d.test' })),
      ).toThrow(/not authenticated/)
      // Written anyway, bypassing the check: the receiving side ends the stream.
      stream.send(new Element('message', { from: 'bot@x.test', to: 'eve@d.test', id: 'spoof' }))
      const { error } = await inbound.closed
      expect((error as StreamError).condition).toBe('invalid-from')
      expect(received.map((s) => s.attrs.id)).toEqual(['ok'])
    })

    it('fails the stream cleanly when the peer vanishes during authentication', async () => {
      // A d.test listener that hangs up as soon as TLS is up, before any mechanism finishes.
      const vanishing = await listen(nodes['d.test']!.context, { host: '127.0.0.1', port: 0 }, (session) =>
        session.once('secured', () => void session.close('system-shutdown')),
      )
      const attempt = connectStream({
        context: nodes['c.test']!.context,
        localDomain: 'c.test',
        remoteDomain: 'd.test',
        host: '127.0.0.1',
        port: (vanishing.address() as AddressInfo).port,
      })
      await expect(attempt).rejects.toBeInstanceOf(Error)
      await new Promise((resolve) => vanishing.close(resolve))
    })
  })
}
