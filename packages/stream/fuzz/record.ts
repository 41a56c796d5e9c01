/**
 * Records the fuzz corpus from real s2s exchanges: our library with itself
 * (STARTTLS + SASL EXTERNAL, direct TLS, dialback-shaped clear text) and with
 * Prosody 0.12 in both roles (certificates, and dialback in clear). Each side's
 * received bytes are captured at our end, decrypted, one file per direction.
 *
 *   pnpm exec tsx --tsconfig packages/stream/fuzz/tsconfig.json packages/stream/fuzz/record.ts
 *
 * Binds 127.0.0.80 (random ports), 127.0.0.82:5269 (our c.test for Prosody),
 * Prosody a.test on 127.0.0.81 and b.test on 127.0.0.84.
 */
import { writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  loginUser,
  startProsody,
  stopAllPeers,
  writeCertificateFiles,
} from '@xmpp-federation/testing'
import { Element } from 'ltx'
import { createStreamContext, type StreamContext } from '../src/context.js'
import { saslExternal } from '../src/sasl-external.js'
import { createTlsIdentity, type SecurityPolicy } from '../src/security.js'
import { createTrustAnchors } from '../src/tls/index.js'
import { ALPN_XMPP_SERVER } from '../src/tls-upgrade.js'
import { CORPUS_DIR, type Transcript } from './corpus.js'
import { type Recorder, RecordingInbound, RecordingOutbound } from './recording.js'
import { trustingDialback } from './trusting-dialback.js'

const LOCAL = '127.0.0.80'
const OURS = { host: '127.0.0.82', port: 5269 }
const PROSODY_CERT = '127.0.0.81'
const PROSODY_PLAIN = '127.0.0.84'
const PASSWORD = 'record-secret'

const ca = await createTestCA()
const certs = {
  'c.test': await ca.issue({ dnsNames: ['c.test'] }),
  'd.test': await ca.issue({ dnsNames: ['d.test'] }),
}
const TLS_REQUIRED: SecurityPolicy = { tls: 'required', requireValidCertificate: true }
const NO_TLS: SecurityPolicy = { tls: 'none', requireValidCertificate: false }

function context(domain: 'c.test' | 'd.test', security: SecurityPolicy | ((d?: string) => SecurityPolicy)) {
  return createStreamContext({
    localDomains: [domain],
    auth: [saslExternal(), trustingDialback()],
    tls: createTlsIdentity({
      anchors: createTrustAnchors({ ca: [ca.certPem] }),
      credentials: { [domain]: { cert: certs[domain].chainPem, key: certs[domain].keyPem } },
    }),
    security,
    timeouts: { keepaliveMs: 0 },
  })
}

/** A listener whose sessions record what their peers send. */
async function recordingListener(ctx: StreamContext, host: string, port: number, directTls = false) {
  const sessions: RecordingInbound[] = []
  const server: Server = createServer((socket) => {
    const session = new RecordingInbound(socket, ctx, directTls)
    sessions.push(session)
  })
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : port,
    sessions,
    close: async () => {
      await Promise.all(sessions.map((s) => s.close()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** connectStream's steps, with a recording session. */
async function recordingConnect(
  ctx: StreamContext,
  local: string,
  remote: string,
  host: string,
  port: number,
  directTls = false,
): Promise<RecordingOutbound> {
  let socket: Socket = netConnect({ host, port })
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  if (directTls) {
    const secure = tlsConnect({
      socket,
      servername: remote,
      secureContext: ctx.tls!.contextFor(local),
      rejectUnauthorized: false,
      ALPNProtocols: [ALPN_XMPP_SERVER],
    })
    await new Promise((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject))
    socket = secure
  }
  const session = new RecordingOutbound(socket, ctx, local, remote)
  session.start()
  await session.ready
  return session
}

function stanzas(from: string, to: string): Element[] {
  const message = (id: string, body: string) =>
    new Element('message', { from, to, type: 'chat', id }).c('body').t(body).root()
  const rich = new Element('message', { from, to, type: 'chat', id: 'r1', 'xml:lang': 'en' })
  rich.c('body').t('<b> & "quotes" \'apos\' ]]> é 中 😀')
  rich
    .c('html', { xmlns: 'http://jabber.org/protocol/xhtml-im' })
    .c('body', { xmlns: 'http://www.w3.org/1999/xhtml' })
    .c('p')
    .t('rich')
    .up()
    .c('br')
  return [
    message('m1', 'hello'),
    rich,
    new Element('presence', { from, to }).c('show').t('away').root(),
    new Element('presence', { from, to, type: 'subscribe', id: 'p2' }),
    new Element('iq', { from, to, type: 'get', id: 'q1' })
      .c('query', { xmlns: 'http://jabber.org/protocol/disco#info' })
      .root(),
    message('m2', 'x'.repeat(20_000)),
    new Element('message', { from, to, type: 'error', id: 'e1' })
      .c('error', { type: 'cancel' })
      .c('service-unavailable', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })
      .root(),
  ]
}

const corpus: Transcript[] = []
const keep = (recorder: Recorder | undefined, name: string, description: string) => {
  if (recorder) corpus.push(recorder.transcript(name, description))
}
const settle = () => new Promise((r) => setTimeout(r, 300))

/** Our library with itself: the traffic our stream tests exchange. */
async function ours(name: string, security: SecurityPolicy, directTls: boolean, what: string) {
  const listener = await recordingListener(context('d.test', security), LOCAL, 0, directTls)
  const outbound = await recordingConnect(
    context('c.test', security),
    'c.test',
    'd.test',
    LOCAL,
    listener.port,
    directTls,
  )
  for (const stanza of stanzas('bot@c.test/r', 'eve@d.test')) outbound.sendStanza(stanza)
  await settle()
  await outbound.close()
  await listener.close()
  keep(listener.sessions[0]?.recorder, `${name}.in`, `our c.test -> our listener d.test, ${what}`)
  keep(outbound.recorder, `${name}.out`, `our listener d.test -> our outbound c.test, ${what}`)
}

await ours('ours-starttls-external', TLS_REQUIRED, false, 'STARTTLS + SASL EXTERNAL')
await ours('ours-direct-tls-external', TLS_REQUIRED, true, 'direct TLS (XEP-0368) + SASL EXTERNAL')
await ours('ours-clear-dialback', NO_TLS, false, 'no TLS, dialback-shaped auth')

// Prosody 0.12, both roles.
const workdir = await createWorkdir()
try {
  const hosts = await createHostsFile(workdir.path)
  await hosts.addHost('c.test', OURS.host)
  const dir = await workdir.subdir('certs')
  const cafile = `${dir}/ca.crt`
  await writeFile(cafile, ca.certPem)
  const aCert = await writeCertificateFiles(dir, 'a.test', await ca.issue({ dnsNames: ['a.test'] }))
  const [a, b] = await Promise.all([
    startProsody({
      workdir,
      hosts,
      domain: 'a.test',
      ip: PROSODY_CERT,
      mode: 'cert',
      certificate: aCert,
      cafile,
      scramIterations: 1000,
    }),
    startProsody({
      workdir,
      hosts,
      domain: 'b.test',
      ip: PROSODY_PLAIN,
      mode: 'plain',
      scramIterations: 1000,
    }),
  ])
  await a.register('alice', PASSWORD)
  await b.register('bea', PASSWORD)
  const ctx = context('c.test', (remote) => (remote === 'b.test' ? NO_TLS : TLS_REQUIRED))
  const listener = await recordingListener(ctx, OURS.host, OURS.port)
  const [alice, bea] = await Promise.all([
    loginUser({ jid: 'alice@a.test', password: PASSWORD, ip: PROSODY_CERT, ca: ca.certPem }),
    loginUser({ jid: 'bea@b.test', password: PASSWORD, ip: PROSODY_PLAIN }),
  ])
  for (const [user, domain] of [
    [alice, 'a.test'],
    [bea, 'b.test'],
  ] as const) {
    for (const stanza of stanzas(user.jid, 'bob@c.test')) {
      delete stanza.attrs.from // the server stamps it
      await user.send(stanza)
    }
    await user.send(new Element('message', { to: 'bob@c.test', id: 'last' }).c('body').t('last').root())
    const session = () => listener.sessions.find((s) => s.remoteDomain === domain && s.stats.stanzasIn > 0)
    for (let i = 0; i < 100 && (session()?.stats.stanzasIn ?? 0) < 8; i++) await settle()
  }
  // Our outbound towards both Prosody servers: what they send as receiving servers.
  const toA = await recordingConnect(ctx, 'c.test', 'a.test', PROSODY_CERT, 5269)
  const toB = await recordingConnect(ctx, 'c.test', 'b.test', PROSODY_PLAIN, 5269)
  for (const [out, user] of [
    [toA, 'alice@a.test'],
    [toB, 'bea@b.test'],
  ] as const) {
    for (const stanza of stanzas('bot@c.test/r', user)) out.sendStanza(stanza)
  }
  await settle()
  await Promise.all([toA.close(), toB.close(), alice.stop(), bea.stop()])
  for (const session of listener.sessions) {
    const peer = session.remoteDomain ?? 'unknown'
    const how = peer === 'b.test' ? 'plain' : 'cert'
    const n = listener.sessions.filter((s) => s.remoteDomain === peer).indexOf(session)
    keep(
      session.recorder,
      `prosody-${peer}-${how}${n > 0 ? `-${n}` : ''}.in`,
      `Prosody 0.12 ${peer} -> our listener c.test, ${how === 'plain' ? 'dialback in clear' : 'STARTTLS + SASL EXTERNAL'}`,
    )
  }
  keep(
    toA.recorder,
    'prosody-a.test-cert.out',
    'Prosody 0.12 a.test (receiving server) -> our outbound c.test, STARTTLS + SASL EXTERNAL',
  )
  keep(
    toB.recorder,
    'prosody-b.test-plain.out',
    'Prosody 0.12 b.test (receiving server) -> our outbound c.test, dialback in clear',
  )
  await listener.close()
} finally {
  await stopAllPeers()
  await workdir.cleanup()
}

for (const transcript of corpus) {
  writeFileSync(`${CORPUS_DIR}${transcript.name}.json`, `${JSON.stringify(transcript, null, 2)}\n`)
  const bytes = transcript.streams.reduce((n, s) => n + Buffer.byteLength(s.text), 0)
  console.log(`${transcript.name}: ${transcript.streams.length} streams, ${bytes} bytes`)
}
