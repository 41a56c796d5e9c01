import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, createServer } from 'node:tls'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CertificatesError, createDevelopmentCertificates } from '../src/index.js'

describe('createDevelopmentCertificates', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-devcerts-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a CertificatesError')
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(CertificatesError)
        return error as CertificatesError
      },
    )

  it('ECDSA P-256 certificates authenticate both ends of a TLS connection against the CA alone', async () => {
    const made = await createDevelopmentCertificates({
      dir,
      domains: ['a.test', 'b.test'],
      keyType: 'ecdsa-p256',
    })
    const [a, b] = made.domains
    const ca = await readFile(made.ca.cert)
    const server = createServer({
      cert: await readFile(a!.cert),
      key: await readFile(a!.key),
      ca,
      requestCert: true,
      rejectUnauthorized: true,
    })
    const peerName = new Promise<string>((resolve) =>
      server.on('secureConnection', (socket) => {
        resolve(socket.getPeerCertificate().subjectaltname)
        socket.end()
      }),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const client = connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        servername: 'a.test',
        cert: await readFile(b!.cert),
        key: await readFile(b!.key),
        ca,
      })
      await new Promise<void>((resolve, reject) =>
        client.once('secureConnect', resolve).once('error', reject),
      )
      expect(client.authorized).toBe(true)
      expect(client.getPeerCertificate().subjectaltname).toBe('DNS:a.test')
      expect(await peerName).toBe('DNS:b.test')
      client.destroy()
    } finally {
      server.close()
    }
  })

  it('normalises domains and makes one certificate per distinct domain', async () => {
    const made = await createDevelopmentCertificates({ dir, domains: ['A.Test.', 'a.test'] })
    expect(made.domains.map((entry) => entry.domain)).toEqual(['a.test'])
    expect((await readdir(dir)).sort()).toEqual(['a.test.crt', 'a.test.key', 'ca.crt', 'ca.key'])
  })

  it('refuses options it cannot use, writing nothing', async () => {
    for (const options of [
      { domains: [] },
      { domains: ['ca'] },
      { domains: ['192.0.2.1'] },
      { domains: ['a.test'], days: 1.5 },
      { domains: ['a.test'], keyType: 'ed25519' as 'rsa' },
    ]) {
      expect((await refusal(createDevelopmentCertificates({ dir, ...options }))).code).toBe('INVALID_OPTION')
    }
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses a CA that cannot sign: a certificate that is no CA, a key that is not its own', async () => {
    const first = await createDevelopmentCertificates({ dir: join(dir, 'one'), domains: ['a.test'] })
    const second = await createDevelopmentCertificates({ dir: join(dir, 'two'), domains: ['a.test'] })

    const leafAsCa = join(dir, 'leaf-as-ca')
    await mkdir(leafAsCa)
    await copyFile(first.domains[0]!.cert, join(leafAsCa, 'ca.crt'))
    await copyFile(first.domains[0]!.key, join(leafAsCa, 'ca.key'))
    const notCa = await refusal(createDevelopmentCertificates({ dir: leafAsCa, domains: ['b.test'] }))
    expect(notCa).toMatchObject({
      code: 'UNUSABLE_CA',
      message: expect.stringContaining('is not a CA certificate'),
    })

    const mixed = join(dir, 'mixed')
    await mkdir(mixed)
    await copyFile(first.ca.cert, join(mixed, 'ca.crt'))
    await copyFile(second.ca.key, join(mixed, 'ca.key'))
    const wrongKey = await refusal(createDevelopmentCertificates({ dir: mixed, domains: ['b.test'] }))
    expect(wrongKey.message).toContain('ca.key is not the key of ca.crt')
    expect((await readdir(mixed)).sort()).toEqual(['ca.crt', 'ca.key'])
  })

  it('a certificate never outlives its CA', async () => {
    const now = new Date()
    const made = await createDevelopmentCertificates({ dir, domains: ['a.test'], days: 5000, now })
    expect(made.ca.notAfter.getTime()).toBeGreaterThanOrEqual(made.domains[0]!.notAfter.getTime())
    expect(made.domains[0]!.notAfter.getTime() - now.getTime()).toBeGreaterThan(4999 * 86_400_000)
  })
})
