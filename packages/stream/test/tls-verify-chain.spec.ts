import { X509Certificate } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import tls from 'node:tls'
import {
  createTestCA,
  type IssuedCertificate,
  type IssueOptions,
  type TestCA,
} from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChainResult,
  createTrustAnchors,
  peerChain,
  type TrustAnchors,
  verifyChain,
} from '../src/tls/index.js'

const DAY = 24 * 3_600_000

let ca: TestCA
let caCert: X509Certificate
let anchors: TrustAnchors
let otherCA: TestCA
let intermediate: TestCA

beforeAll(async () => {
  ca = await createTestCA({ name: 'Chain Spec CA' })
  caCert = new X509Certificate(ca.certPem)
  anchors = createTrustAnchors({ ca: [ca.certPem] })
  otherCA = await createTestCA({ name: 'Somebody Else CA' })
  intermediate = await ca.intermediate('Chain Spec Intermediate')
})

function certificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block),
  )
}

async function presented(issuer: TestCA, options: IssueOptions = {}): Promise<X509Certificate[]> {
  return certificates((await issuer.issue({ dnsNames: ['a.test'], ...options })).chainPem)
}

const subjects = (result: ChainResult) => (result.ok ? result.chain.map((cert) => cert.subject ?? '') : [])

function expectFailure(result: ChainResult, code: string, certificate?: X509Certificate) {
  expect(result.ok).toBe(false)
  if (result.ok) return
  expect(result.code).toBe(code)
  expect(result.message).toEqual(expect.any(String))
  if (certificate) expect(result.certificate?.raw.equals(certificate.raw)).toBe(true)
}

describe('verifyChain: accepted', () => {
  it('a leaf issued by a trust anchor', async () => {
    const chain = await presented(ca)
    const result = verifyChain(chain, anchors)
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect(result.chain).toHaveLength(2)
      expect(result.chain[0]?.raw.equals(chain[0]!.raw)).toBe(true)
      expect(result.chain[1]?.raw.equals(caCert.raw)).toBe(true)
    }
  })

  it('a leaf via a presented intermediate', async () => {
    const result = verifyChain(await presented(intermediate), anchors)
    expect(subjects(result)).toEqual(['', 'CN=Chain Spec Intermediate', 'CN=Chain Spec CA'])
  })

  it('a chain sent out of order, with unrelated extras and the root itself', async () => {
    const [leaf, middle] = await presented(intermediate)
    const stranger = new X509Certificate(otherCA.certPem)
    const result = verifyChain([leaf!, stranger, caCert, middle!], anchors)
    expect(subjects(result)).toEqual(['', 'CN=Chain Spec Intermediate', 'CN=Chain Spec CA'])
  })

  it('a leaf with only serverAuth, only clientAuth, anyExtendedKeyUsage, or no EKU at all', async () => {
    for (const extendedKeyUsage of [['serverAuth'], ['clientAuth'], ['anyExtendedKeyUsage'], []] as const) {
      const result = verifyChain(await presented(ca, { extendedKeyUsage: [...extendedKeyUsage] }), anchors)
      expect(result.ok, extendedKeyUsage.join() || 'no EKU').toBe(true)
    }
  })

  it('a pinned self-signed certificate configured as the anchor', async () => {
    const pinned = await ca.issue({ dnsNames: ['pinned.test'], selfSigned: true })
    const result = verifyChain(certificates(pinned.certPem), createTrustAnchors({ ca: [pinned.certPem] }))
    expect(result.ok && result.chain.length).toBe(1)
  })

  it('an intermediate configured as the anchor ends the path there', async () => {
    const result = verifyChain(
      await presented(intermediate),
      createTrustAnchors({ ca: [intermediate.certPem] }),
    )
    expect(subjects(result)).toEqual(['', 'CN=Chain Spec Intermediate'])
  })

  it('paths as deep as maxDepth allows', async () => {
    const deeper = await (await ca.intermediate('Level 1')).intermediate('Level 2')
    const chain = await presented(deeper)
    expect(verifyChain(chain, anchors).ok).toBe(true)
    expect(verifyChain(chain, anchors, { maxDepth: 3 }).ok).toBe(true)
    expectFailure(verifyChain(chain, anchors, { maxDepth: 2 }), 'CHAIN_TOO_LONG')
    expect(verifyChain(await presented(ca), anchors, { maxDepth: 1 }).ok).toBe(true)
  })
})

describe('verifyChain: refused', () => {
  it('nothing presented', () => {
    expectFailure(verifyChain([], anchors), 'CERT_MISSING')
  })

  it('a leaf whose EKU allows neither serverAuth nor clientAuth', async () => {
    const chain = await presented(ca, { extendedKeyUsage: ['codeSigning'] })
    expectFailure(verifyChain(chain, anchors), 'CERT_PURPOSE_INVALID', chain[0])
  })

  it('an expired leaf, even when the chain is otherwise fine', async () => {
    const chain = await presented(ca, {
      notBefore: new Date(Date.now() - 60 * DAY),
      notAfter: new Date(Date.now() - DAY),
    })
    expectFailure(verifyChain(chain, anchors), 'CERT_EXPIRED', chain[0])
  })

  it('a leaf not valid yet', async () => {
    const chain = await presented(ca, { notBefore: new Date(Date.now() + DAY) })
    expectFailure(verifyChain(chain, anchors), 'CERT_NOT_YET_VALID', chain[0])
  })

  it('a valid leaf judged at a later time given as now', async () => {
    const chain = await presented(ca)
    expectFailure(
      verifyChain(chain, anchors, { now: new Date(Date.now() + 60 * DAY) }),
      'CERT_EXPIRED',
      chain[0],
    )
  })

  it('an expired intermediate, naming the intermediate', async () => {
    const stale = await ca.intermediate('Stale Intermediate', {
      notBefore: new Date(Date.now() - 60 * DAY),
      notAfter: new Date(Date.now() - DAY),
    })
    const chain = await presented(stale)
    expectFailure(verifyChain(chain, anchors), 'CERT_EXPIRED', chain[1])
  })

  it('an anchor outside its own validity period', async () => {
    // The leaf is valid in 2020, the CA only from an hour ago.
    const chain = await presented(ca, {
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    })
    const result = verifyChain(chain, anchors, { now: new Date('2020-06-01T00:00:00Z') })
    expectFailure(result, 'CERT_NOT_YET_VALID', caCert)
  })

  it('a leaf from a CA we do not trust', async () => {
    const chain = await presented(otherCA)
    expectFailure(verifyChain(chain, anchors), 'CERT_UNTRUSTED', chain[0])
  })

  it('a leaf from a CA we do not trust, presented with that CA', async () => {
    const [leaf] = await presented(otherCA)
    const otherRoot = new X509Certificate(otherCA.certPem)
    const result = verifyChain([leaf!, otherRoot], anchors)
    expectFailure(result, 'CERT_UNTRUSTED', otherRoot)
    expect(!result.ok && result.message).toMatch(/self-signed/)
  })

  it('a self-signed leaf that is not an anchor', async () => {
    const chain = await presented(ca, { commonName: 'self.test', selfSigned: true })
    const result = verifyChain(chain, anchors)
    expectFailure(result, 'CERT_UNTRUSTED', chain[0])
    expect(!result.ok && result.message).toMatch(/self-signed/)
  })

  it('a leaf whose intermediate the peer did not send', async () => {
    const [leaf] = await presented(intermediate)
    expectFailure(verifyChain([leaf!], anchors), 'CERT_UNTRUSTED', leaf)
  })

  it('a leaf whose name was altered after signing', async () => {
    const issued = await ca.issue({ dnsNames: ['victim.test'] })
    const der = Buffer.from(new X509Certificate(issued.certPem).raw)
    const at = der.indexOf('victim.test')
    der.write('forger.test', at, 'ascii') // same length, so the DER stays well-formed
    const forged = new X509Certificate(der)
    expect(forged.subjectAltName).toBe('DNS:forger.test')
    expectFailure(verifyChain([forged], anchors), 'CERT_SIGNATURE_INVALID', forged)
  })

  it('a leaf whose signature bits were flipped', async () => {
    const der = Buffer.from(new X509Certificate((await ca.issue({ dnsNames: ['a.test'] })).certPem).raw)
    der[der.length - 1]! ^= 0xff // the last byte belongs to the signature value
    const tampered = new X509Certificate(der)
    expectFailure(verifyChain([tampered], anchors), 'CERT_SIGNATURE_INVALID', tampered)
  })

  it('an intermediate that is not a CA', async () => {
    const notCA = await ca.intermediate('Not A CA', { ca: false })
    const chain = await presented(notCA)
    expectFailure(verifyChain(chain, anchors), 'CERT_ISSUER_NOT_CA', chain[1])
  })
})

describe('createTrustAnchors', () => {
  it('reads several certificates from one PEM text, DER bytes, and drops duplicates', () => {
    const bundle = `${ca.certPem}${otherCA.certPem}`
    const fromBundle = createTrustAnchors({ ca: [bundle, ca.certPem, Buffer.from(caCert.raw)] })
    expect(fromBundle.certificates.map((cert) => cert.subject)).toEqual([
      'CN=Chain Spec CA',
      'CN=Somebody Else CA',
    ])
    expect(Object.isFrozen(fromBundle.certificates)).toBe(true)
  })

  it('adds the system roots only when asked', () => {
    expect(createTrustAnchors({}).certificates).toHaveLength(0)
    const system = createTrustAnchors({ system: true })
    expect(system.certificates.length).toBe(tls.rootCertificates.length)
    expect(createTrustAnchors({ ca: [ca.certPem], system: true }).certificates.length).toBe(
      tls.rootCertificates.length + 1,
    )
  })

  it('refuses a source without any certificate', () => {
    expect(() => createTrustAnchors({ ca: ['not a certificate'] })).toThrow(/#0 holds no PEM certificate/)
    expect(() => createTrustAnchors({ ca: [ca.certPem, Buffer.from('junk')] })).toThrow(
      /#1 is not a DER certificate/,
    )
  })
})

describe('peerChain over real TLS', () => {
  const servers: tls.Server[] = []
  afterAll(() => {
    for (const server of servers) server.close()
  })

  interface ServerView {
    authorized: boolean
    authorizationError: string | undefined
    chain: X509Certificate[]
  }

  // A server that records what it saw of the client, the way an s2s listener would.
  async function listen(serverCert: IssuedCertificate, options: tls.TlsOptions) {
    let resolveView: (view: ServerView) => void = () => {}
    const seen = new Promise<ServerView>((resolve) => {
      resolveView = resolve
    })
    const server = tls.createServer(
      { cert: serverCert.chainPem, key: serverCert.keyPem, ...options },
      (socket) => {
        resolveView({
          authorized: socket.authorized,
          authorizationError: socket.authorizationError?.toString(),
          chain: peerChain(socket),
        })
        socket.end()
      },
    )
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { port: (server.address() as AddressInfo).port, seen }
  }

  function connect(options: tls.ConnectionOptions): Promise<X509Certificate[]> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', ...options }, () => {
        const chain = peerChain(socket)
        socket.on('end', () => resolve(chain))
        socket.resume()
      })
      socket.on('error', reject)
    })
  }

  it('gives the server the client chain; ours accepts the serverAuth-only leaf OpenSSL refuses', async () => {
    const server = await ca.issue({ dnsNames: ['a.test'] })
    const { port, seen } = await listen(server, {
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: false,
    })
    const client = await intermediate.issue({ dnsNames: ['b.test'], extendedKeyUsage: ['serverAuth'] })
    await connect({ port, servername: 'a.test', ca: [ca.certPem], cert: client.chainPem, key: client.keyPem })
    const view = await seen
    expect(view.authorized).toBe(false)
    expect(view.authorizationError).toBe('INVALID_PURPOSE') // X509_V_ERR_INVALID_PURPOSE
    // What the client presented, leaf first; our anchors supply the root.
    expect(view.chain.map((cert) => cert.subject ?? '')).toEqual(['', 'CN=Chain Spec Intermediate'])
    expect(verifyChain(view.chain, anchors).ok).toBe(true)
  })

  it('gives the client the server chain, leaf first', async () => {
    const server = await intermediate.issue({ dnsNames: ['a.test'] })
    const { port } = await listen(server, {})
    const chain = await connect({ port, servername: 'a.test', rejectUnauthorized: false })
    expect(chain.map((cert) => cert.subject ?? '')).toEqual(['', 'CN=Chain Spec Intermediate'])
    expect(verifyChain(chain, anchors).ok).toBe(true)
  })

  it('is empty when the peer sent no certificate', async () => {
    const server = await ca.issue({ dnsNames: ['a.test'] })
    const { port, seen } = await listen(server, { requestCert: true, rejectUnauthorized: false })
    await connect({ port, servername: 'a.test', ca: [ca.certPem] })
    expect((await seen).chain).toEqual([])
    expectFailure(verifyChain((await seen).chain, anchors), 'CERT_MISSING')
  })
})
