import type { Server } from 'node:net'
import { type DialbackMechanism, dialback, requestPair } from '@xmpp-federation/dialback'
import {
  type AuthMechanism,
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  type InboundSession,
  listen,
  NS,
  type OutboundSession,
  type StreamContext,
  saslExternal,
} from '@xmpp-federation/stream'
import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  type IssuedCertificate,
  loginUser,
  startEjabberd,
  startProsody,
  stopAllPeers,
  type Workdir,
  writeCertificateFiles,
  type XmppUser,
} from '@xmpp-federation/testing'
import { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Peer quirks the matrix runs into, each shown on the wire and handled (docs/interop.md).
// Our library is c.test, at the stream level so the test can read the peer's features.
const PASSWORD = 'interop-secret'
const SECRET = 'interop-quirks-dialback-secret'

type Task = { meta: object }
const recordQuirk = (task: Task, peer: string, quirk: string, handling: string) =>
  Object.assign(task.meta, { quirk: { peer, quirk, handling } })

/**
 * Our s2s endpoint: a stream context with the given mechanisms, a listener that answers the
 * peer's db:verify, and a way back to the peer for verifying the db:result it sends us (a peer
 * authenticates its own direction on the stream it opens to verify ours).
 */
async function ourEndpoint(
  ip: string,
  peerIp: string,
  certificate: IssuedCertificate,
  auth: AuthMechanism[],
) {
  const context: StreamContext = createStreamContext({
    localDomains: ['c.test'],
    auth,
    tls: createTlsIdentity({
      anchors: createTrustAnchors({ ca: [] }), // the peer's self-signed certificate is not trusted
      credentials: { '*': { cert: certificate.chainPem, key: certificate.keyPem } },
    }),
    security: { tls: 'required', requireValidCertificate: false },
  })
  const streams: OutboundSession[] = []
  const open = async (local: string, remote: string, authenticate: boolean) => {
    const stream = await connectStream({
      context,
      localDomain: local,
      remoteDomain: remote,
      host: peerIp,
      port: 5269,
      authenticate,
    })
    streams.push(stream)
    return stream
  }
  for (const mechanism of auth) {
    mechanism.start?.({ openVerificationStream: (local, remote) => open(local, remote, false) })
  }
  const inbound: InboundSession[] = []
  const server: Server = await listen(context, { host: ip, port: 5269 }, (session) => inbound.push(session))
  return {
    connect: (remote: string) => open('c.test', remote, true),
    close: async () => {
      await Promise.all([...streams, ...inbound].map((s) => s.close()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

interface Setup {
  workdir: Workdir
  user: XmppUser
  ours: IssuedCertificate
  stop(): Promise<void>
}

/** A peer in dialback mode (self-signed certificate, untrusted ones accepted) with a logged-in user. */
async function startDialbackPeer(server: 'prosody' | 'ejabberd', ip: string, ourIp: string): Promise<Setup> {
  const workdir = await createWorkdir()
  const hosts = await createHostsFile(workdir.path)
  await hosts.addHost('c.test', ourIp)
  const ca = await createTestCA()
  const selfSigned = await ca.issue({ dnsNames: ['a.test'], commonName: 'a.test', selfSigned: true })
  const files = await writeCertificateFiles(await workdir.subdir('certs'), 'a.test', selfSigned)
  const common = { workdir, hosts, domain: 'a.test', ip, mode: 'dialback' as const }
  const peer =
    server === 'prosody'
      ? await startProsody({ ...common, certificate: files, scramIterations: 1000 })
      : await startEjabberd({ ...common, certificate: files })
  await peer.register('alice', PASSWORD)
  const user = await loginUser({ jid: 'alice@a.test', password: PASSWORD, ip, ca: selfSigned.certPem })
  return {
    workdir,
    user,
    ours: await ca.issue({ dnsNames: ['c.test'], selfSigned: true, commonName: 'c.test' }),
    async stop() {
      await user.stop()
      await peer.stop()
      await workdir.cleanup()
    },
  }
}

const chat = (id: string) =>
  new Element('message', { from: 'bot@c.test', to: 'alice@a.test', type: 'chat', id }).c('body').t(id).root()

afterAll(async () => {
  await stopAllPeers()
})

describe('Prosody 0.12: dialback feature without <errors/>', () => {
  const PEER_IP = '127.0.0.130'
  const OUR_IP = '127.0.0.131'
  let setup: Setup
  beforeAll(async () => {
    setup = await startDialbackPeer('prosody', PEER_IP, OUR_IP)
  })
  afterAll(() => setup?.stop())

  it('authenticates with dialback anyway, and refuses target piggybacking locally instead of on the wire', async ({
    task,
  }) => {
    recordQuirk(
      task,
      'Prosody 0.12',
      'announces `<dialback xmlns="urn:xmpp:features:dialback"/>` without `<errors/>` (XEP-0220 §2.6.2)',
      'dialback works as usual; a second target domain on its stream is refused here (DialbackError feature-not-implemented) and the stream stays up',
    )
    const mechanism: DialbackMechanism = dialback({ secret: SECRET, timeoutMs: 10_000 })
    const ours = await ourEndpoint(OUR_IP, PEER_IP, setup.ours, [mechanism])
    try {
      const stream = await ours.connect('a.test')
      const feature = stream.features?.getChild('dialback', 'urn:xmpp:features:dialback')
      expect(feature).toBeDefined()
      expect(feature?.getChild('errors')).toBeUndefined()
      expect(stream.authenticatedPairs).toEqual([
        { local: 'c.test', remote: 'a.test', mechanism: 'dialback' },
      ])
      stream.sendStanza(chat('quirk-prosody'))
      await setup.user.nextStanza((s) => s.attrs.id === 'quirk-prosody')
      await expect(requestPair(stream, 'c.test', 'conference.a.test')).rejects.toMatchObject({
        name: 'DialbackError',
        condition: 'feature-not-implemented',
      })
      expect(stream.phase).toBe('established')
    } finally {
      await ours.close()
    }
  })
})

describe('ejabberd 23.01: SASL EXTERNAL offered to an untrusted certificate, then refused', () => {
  const PEER_IP = '127.0.0.132'
  const OUR_IP = '127.0.0.133'
  let setup: Setup
  beforeAll(async () => {
    setup = await startDialbackPeer('ejabberd', PEER_IP, OUR_IP)
  })
  afterAll(() => setup?.stop())

  it('EXTERNAL alone fails with the peer’s refusal; EXTERNAL then dialback falls back on the same stream', async ({
    task,
  }) => {
    recordQuirk(
      task,
      'ejabberd 23.01',
      'offers SASL EXTERNAL to a peer whose certificate it cannot verify, then answers `<failure><not-authorized/>`',
      'the outbound stream tries the next mechanism (dialback) on the same stream; with EXTERNAL alone the connection fails with the peer’s answer',
    )
    const externalOnly = await ourEndpoint(OUR_IP, PEER_IP, setup.ours, [saslExternal()])
    try {
      await expect(externalOnly.connect('a.test')).rejects.toThrow(
        /EXTERNAL: peer answered <not-authorized\/>/,
      )
    } finally {
      await externalOnly.close()
    }

    const withFallback = await ourEndpoint(OUR_IP, PEER_IP, setup.ours, [
      saslExternal(),
      dialback({ secret: SECRET, timeoutMs: 10_000 }),
    ])
    try {
      const stream = await withFallback.connect('a.test')
      const offered = stream.features
        ?.getChild('mechanisms', NS.sasl)
        ?.getChildren('mechanism')
        .map((m) => m.getText())
      expect(offered).toContain('EXTERNAL')
      expect(stream.authenticatedPairs).toEqual([
        { local: 'c.test', remote: 'a.test', mechanism: 'dialback' },
      ])
      stream.sendStanza(chat('quirk-ejabberd'))
      await setup.user.nextStanza((s) => s.attrs.id === 'quirk-ejabberd')
    } finally {
      await withFallback.close()
    }
  })
})
