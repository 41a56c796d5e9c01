import 'reflect-metadata' // @peculiar/x509 needs it loaded first
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { KeyUsageFlags, KeyUsagesExtension, X509Certificate as PeculiarCertificate } from '@peculiar/x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCA, type IssuedCertificate, type TestCA, writeCertificateFiles } from '../src/pki.js'

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'
const HOUR = 3_600_000

let ca: TestCA
let caCert: X509Certificate

beforeAll(async () => {
  ca = await createTestCA({ name: 'PKI Spec CA' })
  caCert = new X509Certificate(ca.certPem)
})

const leafOf = (issued: IssuedCertificate) => new X509Certificate(issued.certPem)

function splitPem(text: string): X509Certificate[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block),
  )
}

describe('createTestCA', () => {
  it('makes a self-signed CA certificate', () => {
    expect(caCert.ca).toBe(true)
    expect(caCert.subject).toBe('CN=PKI Spec CA')
    expect(caCert.issuer).toBe(caCert.subject)
    expect(caCert.verify(caCert.publicKey)).toBe(true)
    expect(caCert.keyUsage).toBeUndefined() // no EKU on the CA
    expect(caCert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('honours the CA validity window', async () => {
    const notBefore = new Date('2030-01-01T00:00:00Z')
    const notAfter = new Date('2031-01-01T00:00:00Z')
    const future = new X509Certificate((await createTestCA({ notBefore, notAfter })).certPem)
    expect(new Date(future.validFrom)).toEqual(notBefore)
    expect(new Date(future.validTo)).toEqual(notAfter)
  })
})

describe('issue', () => {
  it('issues a leaf that verifies against the CA, with the documented defaults', async () => {
    const before = Date.now()
    const issued = await ca.issue({ commonName: 'a.test' })
    const leaf = leafOf(issued)
    expect(leaf.subject).toBe('CN=a.test')
    expect(leaf.subjectAltName).toBe('DNS:a.test')
    expect(leaf.keyUsage).toEqual([SERVER_AUTH, CLIENT_AUTH])
    expect(leaf.ca).toBe(false)
    expect(leaf.verify(caCert.publicKey)).toBe(true)
    // Node's direction: child.checkIssued(issuer)
    expect(leaf.checkIssued(caCert)).toBe(true)
    expect(caCert.checkIssued(leaf)).toBe(false)
    expect(issued.chainPem).toBe(issued.certPem)
    // validFrom/validTo have one-second precision
    expect(new Date(leaf.validFrom).getTime()).toBeGreaterThanOrEqual(before - HOUR - 1000)
    expect(new Date(leaf.validFrom).getTime()).toBeLessThanOrEqual(Date.now() - HOUR)
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThanOrEqual(before + 30 * 24 * HOUR - 1000)
  })

  it('exports the private key as PKCS#8 PEM matching the certificate', async () => {
    const issued = await ca.issue({ commonName: 'a.test' })
    expect(issued.keyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true)
    expect(leafOf(issued).checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true)
  })

  it('writes every kind of subjectAltName asked for, in order', async () => {
    const leaf = leafOf(
      await ca.issue({
        commonName: 'readable name',
        dnsNames: ['a.test', '*.a.test'],
        srvNames: ['_xmpp-server.a.test', '_xmpps-server.a.test'],
        xmppAddrs: ['a.test'],
      }),
    )
    expect(leaf.subjectAltName).toBe(
      'DNS:a.test, DNS:*.a.test, othername:SRVName:_xmpp-server.a.test, ' +
        'othername:SRVName:_xmpps-server.a.test, othername:XmppAddr:a.test',
    )
  })

  // How Node >= 17.3.1 prints names it must escape (CVE-2021-44532): the text after the
  // first "type:" prefix becomes a JSON string; XmppAddr keeps UTF-8 as is.
  it('shows how node quotes otherNames and unusual names in subjectAltName', async () => {
    const leaf = leafOf(
      await ca.issue({ dnsNames: ['x,y.test'], xmppAddrs: ['bücher.test', 'c,d.test'], srvNames: [] }),
    )
    expect(leaf.subjectAltName).toBe(
      'DNS:"x\\u002cy.test", othername:XmppAddr:bücher.test, othername:"XmppAddr:c\\u002cd.test"',
    )
  })

  it('sets a CN-only certificate without any subjectAltName', async () => {
    const leaf = leafOf(await ca.issue({ commonName: 'a.test', dnsNames: [] }))
    expect(leaf.subject).toBe('CN=a.test')
    expect(leaf.subjectAltName).toBeUndefined()
  })

  it('leaves the subject empty without a commonName', async () => {
    const leaf = leafOf(await ca.issue({ dnsNames: ['a.test'] }))
    expect(leaf.subject ?? '').toBe('') // node reports an empty subject as undefined
    expect(leaf.subjectAltName).toBe('DNS:a.test')
  })

  it('writes the extended key usages asked for, or none', async () => {
    expect(
      leafOf(await ca.issue({ commonName: 'a.test', extendedKeyUsage: ['serverAuth'] })).keyUsage,
    ).toEqual([SERVER_AUTH])
    expect(
      leafOf(await ca.issue({ commonName: 'a.test', extendedKeyUsage: ['clientAuth'] })).keyUsage,
    ).toEqual([CLIENT_AUTH])
    expect(leafOf(await ca.issue({ commonName: 'a.test', extendedKeyUsage: [] })).keyUsage).toBeUndefined()
  })

  it('honours notBefore and notAfter', async () => {
    const notBefore = new Date('2020-01-01T00:00:00Z')
    const notAfter = new Date('2020-02-01T00:00:00Z')
    const leaf = leafOf(await ca.issue({ commonName: 'a.test', notBefore, notAfter }))
    expect(new Date(leaf.validFrom)).toEqual(notBefore)
    expect(new Date(leaf.validTo)).toEqual(notAfter)
  })

  it('gives each leaf a random serial', async () => {
    const a = leafOf(await ca.issue({ commonName: 'a.test' }))
    const b = leafOf(await ca.issue({ commonName: 'a.test' }))
    expect(a.serialNumber).not.toBe(b.serialNumber)
  })

  it('shares one leaf key per process unless freshKey is set', async () => {
    const a = await ca.issue({ commonName: 'a.test' })
    const b = await ca.issue({ commonName: 'b.test' })
    const fresh = await ca.issue({ commonName: 'c.test', freshKey: true })
    expect(b.keyPem).toBe(a.keyPem)
    expect(fresh.keyPem).not.toBe(a.keyPem)
    expect(leafOf(fresh).checkPrivateKey(createPrivateKey(fresh.keyPem))).toBe(true)
  })

  it('self-signs when asked, outside the CA', async () => {
    const issued = await ca.issue({ commonName: 'self.test', selfSigned: true })
    const leaf = leafOf(issued)
    expect(leaf.issuer).toBe(leaf.subject)
    expect(leaf.verify(leaf.publicKey)).toBe(true)
    expect(leaf.verify(caCert.publicKey)).toBe(false)
    expect(leaf.checkIssued(caCert)).toBe(false)
    expect(issued.chainPem).toBe(issued.certPem)
  })
})

describe('key types', () => {
  it('issues an ECDSA P-256 leaf under the RSA CA, signed with RSA, without keyEncipherment', async () => {
    const issued = await ca.issue({ dnsNames: ['ec.test'], keyType: 'ecdsa-p256' })
    const leaf = leafOf(issued)
    expect(leaf.publicKey.asymmetricKeyType).toBe('ec')
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(leaf.verify(caCert.publicKey)).toBe(true)
    expect(leaf.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true)
    const usage = new PeculiarCertificate(issued.certPem).getExtension(KeyUsagesExtension)
    expect(usage?.usages).toBe(KeyUsageFlags.digitalSignature)
  })

  it('builds a whole ECDSA chain: an EC CA signs its intermediates and leaves with ECDSA', async () => {
    const ecCa = await createTestCA({ keyType: 'ecdsa-p256' })
    const root = new X509Certificate(ecCa.certPem)
    expect(root.publicKey.asymmetricKeyType).toBe('ec')
    const intermediate = await ecCa.intermediate()
    const issued = await intermediate.issue({ dnsNames: ['ec.test'], keyType: 'ecdsa-p256' })
    const [leaf, middle] = splitPem(issued.chainPem)
    expect(middle?.publicKey.asymmetricKeyType).toBe('ec')
    expect(leaf?.verify(middle!.publicKey)).toBe(true)
    expect(middle?.verify(root.publicKey)).toBe(true)
  })

  it('shares one leaf key per key type', async () => {
    const ec1 = await ca.issue({ commonName: 'a.test', keyType: 'ecdsa-p256' })
    const ec2 = await ca.issue({ commonName: 'b.test', keyType: 'ecdsa-p256' })
    const rsa = await ca.issue({ commonName: 'c.test' })
    expect(ec2.keyPem).toBe(ec1.keyPem)
    expect(rsa.keyPem).not.toBe(ec1.keyPem)
  })
})

describe('intermediate', () => {
  it('issues leaves whose chain is leaf + intermediate', async () => {
    const intermediate = await ca.intermediate('PKI Spec Intermediate')
    const issued = await intermediate.issue({ commonName: 'a.test' })
    const [leaf, middle, ...rest] = splitPem(issued.chainPem)
    expect(rest).toEqual([])
    expect(leaf?.raw.equals(leafOf(issued).raw)).toBe(true)
    expect(middle?.subject).toBe('CN=PKI Spec Intermediate')
    expect(middle?.ca).toBe(true)
    expect(leaf?.checkIssued(middle!)).toBe(true)
    expect(leaf?.verify(middle!.publicKey)).toBe(true)
    expect(middle?.checkIssued(caCert)).toBe(true)
    expect(middle?.verify(caCert.publicKey)).toBe(true)
    expect(new X509Certificate(intermediate.certPem).raw.equals(middle!.raw)).toBe(true)
  })

  it('stacks intermediates below the root, never including the root', async () => {
    const second = await (await ca.intermediate('First')).intermediate('Second')
    const chain = splitPem((await second.issue({ commonName: 'a.test' })).chainPem)
    expect(chain.map((cert) => cert.subject)).toEqual(['CN=a.test', 'CN=Second', 'CN=First'])
  })

  it('can issue a signer that says CA:FALSE, for issuer-check tests', async () => {
    const notCA = await ca.intermediate('Not A CA', { ca: false })
    const notCACert = new X509Certificate(notCA.certPem)
    const leaf = leafOf(await notCA.issue({ commonName: 'a.test' }))
    expect(notCACert.ca).toBe(false)
    // OpenSSL's name/key-id/keyUsage check passes; only basicConstraints gives it away.
    expect(leaf.checkIssued(notCACert)).toBe(true)
    expect(leaf.verify(notCACert.publicKey)).toBe(true)
  })
})

describe('TLS with node/OpenSSL', () => {
  const servers: tls.Server[] = []
  afterAll(() => {
    for (const server of servers) server.close()
  })

  async function listen(options: tls.TlsOptions): Promise<number> {
    const server = tls.createServer(options, (socket) => socket.end('hello'))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return (server.address() as AddressInfo).port
  }

  function connect(options: tls.ConnectionOptions): Promise<{ authorized: boolean; data: string }> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', ...options }, () => {
        let data = ''
        socket.setEncoding('utf8')
        socket.on('data', (chunk) => {
          data += chunk
        })
        socket.on('end', () => resolve({ authorized: socket.authorized, data }))
      })
      socket.on('error', reject)
    })
  }

  it('completes a handshake with a leaf issued by the CA', async () => {
    const issued = await ca.issue({ commonName: 'a.test' })
    const port = await listen({ cert: issued.chainPem, key: issued.keyPem })
    await expect(connect({ port, servername: 'a.test', ca: [ca.certPem] })).resolves.toEqual({
      authorized: true,
      data: 'hello',
    })
  })

  it('completes a handshake through an intermediate', async () => {
    const intermediate = await ca.intermediate()
    const issued = await intermediate.issue({ dnsNames: ['b.test'] })
    const port = await listen({ cert: issued.chainPem, key: issued.keyPem })
    await expect(connect({ port, servername: 'b.test', ca: [ca.certPem] })).resolves.toMatchObject({
      authorized: true,
    })
  })

  it('completes a mutually authenticated handshake, as s2s does', async () => {
    const server = await ca.issue({ commonName: 'a.test' })
    const client = await ca.issue({ commonName: 'b.test' })
    const port = await listen({
      cert: server.chainPem,
      key: server.keyPem,
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: true,
    })
    await expect(
      connect({ port, servername: 'a.test', ca: [ca.certPem], cert: client.chainPem, key: client.keyPem }),
    ).resolves.toMatchObject({ authorized: true, data: 'hello' })
  })

  it('completes a mutual handshake with ECDSA P-256 certificates from an ECDSA CA', async () => {
    const ecCa = await createTestCA({ keyType: 'ecdsa-p256' })
    const server = await ecCa.issue({ dnsNames: ['a.test'], keyType: 'ecdsa-p256' })
    const client = await ecCa.issue({ dnsNames: ['b.test'], keyType: 'ecdsa-p256' })
    const port = await listen({
      cert: server.chainPem,
      key: server.keyPem,
      ca: [ecCa.certPem],
      requestCert: true,
      rejectUnauthorized: true,
    })
    await expect(
      connect({ port, servername: 'a.test', ca: [ecCa.certPem], cert: client.chainPem, key: client.keyPem }),
    ).resolves.toMatchObject({ authorized: true, data: 'hello' })
  })

  it('refuses the handshake for a name the certificate lacks', async () => {
    const issued = await ca.issue({ commonName: 'a.test' })
    const port = await listen({ cert: issued.chainPem, key: issued.keyPem })
    await expect(connect({ port, servername: 'other.test', ca: [ca.certPem] })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    })
  })
})

describe('writeCertificateFiles', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-pki-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes chain, key and combined files with restrictive modes for keys', async () => {
    const issued = await (await ca.intermediate()).issue({ commonName: 'a.test' })
    const paths = await writeCertificateFiles(dir, 'a.test', issued)
    expect(paths).toEqual({
      cert: join(dir, 'a.test.crt'),
      key: join(dir, 'a.test.key'),
      pem: join(dir, 'a.test.pem'),
    })
    expect(await readFile(paths.cert, 'utf8')).toBe(issued.chainPem)
    expect(await readFile(paths.key, 'utf8')).toBe(issued.keyPem)
    expect(await readFile(paths.pem, 'utf8')).toBe(issued.chainPem + issued.keyPem)
    expect((await stat(paths.cert)).mode & 0o777).toBe(0o644)
    expect((await stat(paths.key)).mode & 0o777).toBe(0o640)
    expect((await stat(paths.pem)).mode & 0o777).toBe(0o640)
  })
})
