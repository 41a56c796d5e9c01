/**
 * The client side of a TLS 1.3 handshake with client certificates, timed through a byte relay
 * (issue 18, docs/performance.md "Where the time goes"): from the server's TLS flight to the client's next flight,
 * for our stream's client and for plain node:tls and OpenSSL clients, against the library's
 * listener and a plain node:tls server. Three processes (client, server, relay); every time is
 * process.hrtime (CLOCK_MONOTONIC), comparable across the processes of one machine.
 *
 *   pnpm build && BENCH_ADDRESS_BLOCK=N TSX_TSCONFIG_PATH=bench/tsconfig.run.json \
 *     npx tsx bench/tools/tls-gap.ts [rsa|ecdsa-p256] [rounds] [variant,variant,...]
 *
 * Binds the bench's receiver and relayOut addresses, ports 15301-15304 and 15401-15404.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process'
import { constants } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, connect as netConnect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import { fileURLToPath } from 'node:url'
import {
  certificateIdentities,
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  identitiesNameDomain,
  listen,
  peerChain,
  type StreamContext,
  saslExternal,
  type TrustAnchors,
  verifyChain,
} from '@xmpp-federation/stream'
import { createTestCA, type KeyType } from '@xmpp-federation/testing'
import { ADDRESSES } from '../lib/addresses.js'

const SERVER_HOST = ADDRESSES.receiver
const RELAY_HOST = ADDRESSES.relayOut
const PORTS = { plain: 15301, library: 15302, libraryStarttls: 15303, libraryChain: 15304 } as const
type ServerName = keyof typeof PORTS
const RELAY_OFFSET = 100
const now = (): number => Number(process.hrtime.bigint()) / 1e6

interface Pem {
  ca: string
  client: { cert: string; key: string }
  server: { cert: string; key: string }
}

function readPem(dir: string): Pem {
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8')
  return {
    ca: read('ca.crt'),
    client: { cert: read('c.test.crt'), key: read('c.test.key') },
    server: { cert: read('d.test.crt'), key: read('d.test.key') },
  }
}

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' from='c.test' to='d.test' version='1.0'>"
const FEATURES =
  "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' from='d.test' id='x' version='1.0'><stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms></stream:features>"

function libraryContext(pem: Pem, domain: string, credentials: { cert: string; key: string }): StreamContext {
  return createStreamContext({
    localDomains: [domain],
    auth: [saslExternal()],
    tls: createTlsIdentity({
      anchors: createTrustAnchors({ ca: [pem.ca] }),
      credentials: { [domain]: credentials },
    }),
    security: { tls: 'required', requireValidCertificate: true },
  })
}

/** The server process: a plain node:tls server (leaf + CA, as OpenSSL adds the CA) and the library's listeners. */
async function runServer(dir: string): Promise<void> {
  const pem = readPem(dir)
  tls
    .createServer({ ...pem.server, ca: pem.ca, requestCert: true, rejectUnauthorized: false }, (secure) => {
      secure.on('error', () => {})
      secure.once('data', () => secure.write(FEATURES))
    })
    .listen(PORTS.plain, SERVER_HOST)
  const context = libraryContext(pem, 'd.test', pem.server)
  // Every connection comes from the relay's one address: no per-address throttle.
  const open = { maxConnectionsPerSecondPerAddress: Number.POSITIVE_INFINITY }
  await listen(context, { host: SERVER_HOST, port: PORTS.library, directTls: true, ...open }, () => {})
  await listen(context, { host: SERVER_HOST, port: PORTS.libraryStarttls, ...open }, () => {})
  // Leaf + CA in the certificate file, as Prosody presents it.
  const chain = libraryContext(pem, 'd.test', { cert: pem.server.cert + pem.ca, key: pem.server.key })
  await listen(chain, { host: SERVER_HOST, port: PORTS.libraryChain, directTls: true, ...open }, () => {})
  process.send?.('ready')
}

type Chunk = [dir: 'u' | 'd', bytes: number, at: number, firstByte: number]

/** The relay process: one relay per server port, reporting each connection's reads when it closes. */
function runRelay(): void {
  for (const port of Object.values(PORTS)) {
    createServer((client) => {
      const chunks: Chunk[] = []
      const clientPort = client.remotePort
      const upstream = netConnect({ host: SERVER_HOST, port })
      for (const socket of [client, upstream]) {
        socket.setNoDelay(true)
        socket.on('error', () => socket.destroy())
      }
      client.pause()
      upstream.once('connect', () => client.resume())
      client.on('data', (b: Buffer) => {
        chunks.push(['u', b.length, now(), b[0]!])
        upstream.write(b)
      })
      upstream.on('data', (b: Buffer) => {
        chunks.push(['d', b.length, now(), b[0]!])
        client.write(b)
      })
      upstream.on('close', () => client.destroy())
      client.on('close', () => {
        upstream.destroy()
        process.send?.({ key: `${port + RELAY_OFFSET}:${clientPort}`, relay: port + RELAY_OFFSET, chunks })
      })
    }).listen(port + RELAY_OFFSET, RELAY_HOST)
  }
  process.send?.('ready')
}

interface Marks {
  /** 'secureConnect' in the client (NaN for OpenSSL's client). */
  secureAt: number
  /** Relay key of the connection, or only the relay port when the client's port is unknown. */
  key: string
}

type Variant = [server: ServerName, run: (port: number) => Promise<Marks>]

async function runClient(keyType: KeyType, rounds: number, only: string[] | undefined): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tls-gap-'))
  const ca = await createTestCA({ name: `tls-gap CA (${keyType})`, keyType })
  writeFileSync(path.join(dir, 'ca.crt'), ca.certPem)
  for (const domain of ['c.test', 'd.test']) {
    const leaf = await ca.issue({ dnsNames: [domain], keyType })
    writeFileSync(path.join(dir, `${domain}.crt`), leaf.chainPem)
    writeFileSync(path.join(dir, `${domain}.key`), leaf.keyPem)
  }
  const pem = readPem(dir)
  const anchors = createTrustAnchors({ ca: [pem.ca] })
  const context = libraryContext(pem, 'c.test', pem.client)
  const ours = createTlsIdentity({ anchors, credentials: { '*': pem.client } }).contextFor('c.test')!

  const self = fileURLToPath(import.meta.url)
  const children: ChildProcess[] = [fork(self, ['server', dir]), fork(self, ['relay'])]
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))))
  const traces = new Map<string, Chunk[]>()
  const waiting = new Map<string, (chunks: Chunk[]) => void>()
  children[1]!.on('message', (message: { key: string; relay: number; chunks: Chunk[] }) => {
    for (const key of [message.key, String(message.relay)]) {
      const resolve = waiting.get(key)
      if (resolve) {
        waiting.delete(key)
        resolve(message.chunks)
        return
      }
    }
    traces.set(message.key, message.chunks)
  })
  const traceOf = (key: string) =>
    new Promise<Chunk[]>((resolve) => {
      const known = traces.get(key)
      if (known) {
        traces.delete(key)
        resolve(known)
      } else waiting.set(key, resolve)
    })

  const dial = (port: number) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = netConnect({ host: RELAY_HOST, port: port + RELAY_OFFSET })
      socket.setNoDelay(true)
      socket.once('connect', () => resolve(socket))
      socket.once('error', reject)
    })
  const keyOf = (port: number, socket: Socket) => `${port + RELAY_OFFSET}:${socket.localPort}`
  // Resolves with the marks once the server answered the header.
  const answered = (secure: tls.TLSSocket, port: number, marks: { secureAt: number }) =>
    new Promise<Marks>((resolve, reject) => {
      secure.once('data', () => {
        const key = keyOf(port, secure)
        secure.destroy()
        resolve({ ...marks, key })
      })
      secure.once('error', reject)
    })
  // Our check as inspectTls does it: the chain, our path check, the names.
  const check = (secure: tls.TLSSocket, trust: TrustAnchors) => {
    const chain = peerChain(secure)
    const verdict = verifyChain([...chain], trust)
    if (!verdict.ok || !identitiesNameDomain(certificateIdentities(chain[0]!), 'd.test')) {
      throw new Error('certificate refused')
    }
  }

  // The stream's client options (startClientTls): our context, no OpenSSL verdict, SNI, ALPN.
  const oursPath =
    (options: { check: boolean; deferred?: boolean }) =>
    async (port: number): Promise<Marks> => {
      const secure = tls.connect({
        socket: await dial(port),
        servername: 'd.test',
        secureContext: ours,
        rejectUnauthorized: false,
        secureOptions: constants.SSL_OP_NO_TICKET | constants.SSL_OP_NO_RENEGOTIATION,
        ALPNProtocols: ['xmpp-server'],
      })
      const marks = { secureAt: Number.NaN }
      const done = answered(secure, port, marks)
      await new Promise<void>((resolve) =>
        secure.once('secureConnect', () => {
          marks.secureAt = now()
          resolve()
        }),
      )
      // Deferred: the Finished leaves first (Node writes it after this turn's JS), then the check.
      if (options.deferred) await new Promise(setImmediate)
      if (options.check) check(secure, anchors)
      secure.write(HEADER)
      return done
    }
  let lastSecure = { secureAt: Number.NaN, localPort: 0 }
  const emit = tls.TLSSocket.prototype.emit
  tls.TLSSocket.prototype.emit = function (this: tls.TLSSocket, event: string | symbol, ...args: unknown[]) {
    if (event === 'secureConnect') lastSecure = { secureAt: now(), localPort: this.localPort ?? 0 }
    return Reflect.apply(emit, this, [event, ...args]) as boolean
  }
  const libraryPath = (directTls: boolean) => async (port: number) => {
    const session = await connectStream({
      context,
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: RELAY_HOST,
      port: port + RELAY_OFFSET,
      directTls,
    })
    const marks = { secureAt: lastSecure.secureAt, key: `${port + RELAY_OFFSET}:${lastSecure.localPort}` }
    await session.close()
    return marks
  }
  // node:tls with key, cert and ca: OpenSSL's verdict and Node's checkServerIdentity.
  const barePath = async (port: number): Promise<Marks> => {
    const secure = tls.connect({
      host: RELAY_HOST,
      port: port + RELAY_OFFSET,
      ...pem.client,
      ca: pem.ca,
      servername: 'd.test',
    })
    const marks = { secureAt: Number.NaN }
    secure.once('secureConnect', () => {
      marks.secureAt = now()
      if (!secure.authorized) throw new Error(String(secure.authorizationError))
      secure.write(HEADER)
    })
    return answered(secure, port, marks)
  }
  // OpenSSL's own client, with a full check against the CA, as Prosody's client makes it.
  const opensslPath = (port: number) =>
    new Promise<Marks>((resolve, reject) => {
      const child = spawn(
        'openssl',
        // biome-ignore format: one option and its value per line would be harder to read
        ['s_client', '-quiet', '-connect', `${RELAY_HOST}:${port + RELAY_OFFSET}`, '-servername', 'd.test',
          '-cert', path.join(dir, 'c.test.crt'), '-key', path.join(dir, 'c.test.key'),
          '-CAfile', path.join(dir, 'ca.crt'), '-verify_return_error'],
        { stdio: ['pipe', 'pipe', 'ignore'] },
      )
      child.stdin.write(HEADER)
      child.stdout.once('data', () => {
        child.kill()
        resolve({ secureAt: Number.NaN, key: String(port + RELAY_OFFSET) })
      })
      child.once('error', reject)
    })

  const variants: Record<string, Variant> = {
    'library-direct': ['library', libraryPath(true)],
    'library-starttls': ['libraryStarttls', libraryPath(false)],
    'library-direct/chain': ['libraryChain', libraryPath(true)],
    ours: ['library', oursPath({ check: true })],
    'ours-deferred': ['library', oursPath({ check: true, deferred: true })],
    'ours-nocheck': ['library', oursPath({ check: false })],
    'ours/chain': ['libraryChain', oursPath({ check: true })],
    'ours-deferred/chain': ['libraryChain', oursPath({ check: true, deferred: true })],
    'ours-nocheck/chain': ['libraryChain', oursPath({ check: false })],
    bare: ['library', barePath],
    'bare/plain-server': ['plain', barePath],
  }
  if (spawnSync('openssl', ['version']).status === 0) {
    variants.openssl = ['library', opensslPath]
    variants['openssl/plain-server'] = ['plain', opensslPath]
  }
  const chosen = only ?? Object.keys(variants)
  for (const name of chosen) if (!variants[name]) throw new Error(`no variant ${name}`)

  const results = new Map<string, Record<string, number>[]>(chosen.map((name) => [name, []]))
  const warmUp = Math.min(30, rounds)
  for (let round = 0; round < warmUp + rounds; round++) {
    for (const name of [...chosen].sort(() => Math.random() - 0.5)) {
      const [server, run] = variants[name]!
      const marks = await run(PORTS[server])
      const result = measure(await traceOf(marks.key), marks.secureAt)
      if (round >= warmUp && result) results.get(name)!.push(result)
    }
  }
  for (const child of children) child.kill()
  print(keyType, rounds, results)
}

/** Times (ms) around the client's flight after the server's TLS flight; undefined if the trace is short. */
function measure(chunks: Chunk[], secureAt: number): Record<string, number> | undefined {
  // From the ClientHello on: the first up read that is a TLS handshake record (0x16).
  const hello = chunks.findIndex(([dir, , , first]) => dir === 'u' && first === 0x16)
  const flights: { dir: string; start: number; end: number }[] = []
  for (const [dir, , at] of chunks.slice(hello)) {
    const last = flights.at(-1)
    if (last?.dir === dir) last.end = at
    else flights.push({ dir, start: at, end: at })
  }
  const [clientHello, server, client, answer] = flights
  if (!clientHello || !server || !client || !answer) return undefined
  return {
    server: server.start - clientHello.end,
    gap: client.start - server.end,
    js: secureAt - server.end,
    finJs: client.start - secureAt,
    answer: answer.start - client.end,
    span: answer.start - server.end,
  }
}

function print(keyType: string, rounds: number, results: Map<string, Record<string, number>[]>): void {
  const quantile = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length * q)] ?? Number.NaN
  const columns = ['server', 'gap', 'js', 'finJs', 'answer', 'span']
  console.log(`${keyType}, ${rounds} rounds: medians, ms (gap and span: [p25-p75])`)
  console.log(
    ['variant'.padEnd(24), ...columns.map((c) => c.padStart(c === 'gap' || c === 'span' ? 20 : 8))].join(' '),
  )
  for (const [name, rows] of results) {
    const cells = columns.map((column) => {
      const values = rows.map((row) => row[column]!)
      const median = quantile(values, 0.5).toFixed(3)
      if (column !== 'gap' && column !== 'span') return median.padStart(8)
      return `${median} [${quantile(values, 0.25).toFixed(3)}-${quantile(values, 0.75).toFixed(3)}]`.padStart(
        20,
      )
    })
    console.log([name.padEnd(24), ...cells].join(' '))
  }
}

const [role, ...rest] = process.argv.slice(2)
// The server and the relay end with the client that forked them.
if (role === 'server' || role === 'relay') process.once('disconnect', () => process.exit())
if (role === 'server') await runServer(rest[0]!)
else if (role === 'relay') runRelay()
else {
  const keyType = (role ?? 'rsa') as KeyType
  if (keyType !== 'rsa' && keyType !== 'ecdsa-p256') throw new Error('key type: rsa or ecdsa-p256')
  await runClient(keyType, Number(rest[0] ?? 200), rest[1]?.split(','))
}
