import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from './cli-harness.js'

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'

/** The certificates of a PEM file, in order (leaf first). */
async function certificatesIn(file: string): Promise<X509Certificate[]> {
  const text = await readFile(file, 'utf8')
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  )
}

async function mode(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777
}

describe('xmpp-federation certs', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-certs-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('makes a CA and a certificate per domain, listing each file and the setting that takes it', async () => {
    const result = await runCli(['certs', 'a.test', 'b.test', '--out', 'out'], dir)
    expect(result.code, result.stderr).toBe(0)
    const out = join(dir, 'out')
    expect(result.stdout).toMatch(/^✔ made a development CA and 2 certificates in /)
    expect(result.stdout).toContain(`${join(out, 'ca.crt')}      the CA certificate`)
    expect(result.stdout).toContain(
      `${join(out, 'a.test.key')}  a.test's private key, mode 0600    tls.key of a.test`,
    )
    expect(result.stdout).toContain(`      cert: ${join(out, 'b.test.crt')}`)
    for (const file of ['ca.key', 'a.test.key', 'b.test.key']) expect(await mode(join(out, file))).toBe(0o600)
    for (const file of ['ca.crt', 'a.test.crt']) expect(await mode(join(out, file))).toBe(0o644)
  })

  it('the leaf chains to the CA, names its domain only by DNS, serves both TLS ends and is no CA', async () => {
    expect((await runCli(['certs', 'a.test', '--out', '.'], dir)).code).toBe(0)
    const [ca] = await certificatesIn(join(dir, 'ca.crt'))
    const [leaf, chainedCa, ...more] = await certificatesIn(join(dir, 'a.test.crt'))
    expect(more).toEqual([])
    expect(chainedCa!.fingerprint256).toBe(ca!.fingerprint256)
    expect(ca!.ca).toBe(true)
    expect(ca!.verify(ca!.publicKey)).toBe(true) // self-signed
    expect(leaf!.checkIssued(ca!)).toBe(true)
    expect(leaf!.verify(ca!.publicKey)).toBe(true)
    expect(leaf!.ca).toBe(false)
    expect(leaf!.subjectAltName).toBe('DNS:a.test')
    expect(leaf!.keyUsage).toEqual([SERVER_AUTH, CLIENT_AUTH])
    expect(leaf!.checkPrivateKey(createPrivateKey(await readFile(join(dir, 'a.test.key'), 'utf8')))).toBe(
      true,
    )
    expect(leaf!.publicKey.asymmetricKeyType).toBe('rsa')
  })

  it('--key-type ecdsa-p256 makes P-256 keys; --json gives absolute paths and the tls section', async () => {
    const result = await runCli(
      ['certs', 'a.test', '--out', 'ec', '--key-type', 'ecdsa-p256', '--days', '10', '--json'],
      dir,
    )
    expect(result.code, result.stdout).toBe(0)
    const out = join(dir, 'ec')
    const document = result.json()
    expect(document).toMatchObject({
      schemaVersion: 1,
      command: 'certs',
      ok: true,
      dir: out,
      ca: {
        cert: join(out, 'ca.crt'),
        key: join(out, 'ca.key'),
        created: true,
        subject: expect.stringContaining('CN='),
      },
      certificates: [
        {
          domain: 'a.test',
          cert: join(out, 'a.test.crt'),
          key: join(out, 'a.test.key'),
          notAfter: expect.any(String),
          tls: { cert: join(out, 'a.test.crt'), key: join(out, 'a.test.key'), ca: [join(out, 'ca.crt')] },
        },
      ],
    })
    const [leaf] = await certificatesIn(join(out, 'a.test.crt'))
    expect(leaf!.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    const days = (new Date(leaf!.validTo).getTime() - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(9.9)
    expect(days).toBeLessThanOrEqual(10)
  })

  it('a second run for another domain signs with the CA already in the directory', async () => {
    expect((await runCli(['certs', 'a.test', '--out', '.'], dir)).code).toBe(0)
    const caBefore = await readFile(join(dir, 'ca.crt'), 'utf8')
    const second = await runCli(['certs', 'b.test', '--out', '.'], dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toMatch(/^✔ signed 1 certificate with the CA already in /)
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toBe(caBefore)
    const [ca] = await certificatesIn(join(dir, 'ca.crt'))
    const [b] = await certificatesIn(join(dir, 'b.test.crt'))
    expect(b!.checkIssued(ca!) && b!.verify(ca!.publicKey)).toBe(true)
  })

  it("refuses to overwrite a domain's files without --force, and writes nothing then", async () => {
    expect((await runCli(['certs', 'a.test', '--out', '.'], dir)).code).toBe(0)
    const before = await readFile(join(dir, 'a.test.key'), 'utf8')
    const refused = await runCli(['certs', 'b.test', 'a.test', '--out', '.'], dir)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(
      `${join(dir, 'a.test.crt')}, ${join(dir, 'a.test.key')} already exist; --force replaces them`,
    )
    await expect(stat(join(dir, 'b.test.crt'))).rejects.toThrow('ENOENT')
    const json = await runCli(['certs', 'a.test', '--out', '.', '--json'], dir)
    expect(json.json()).toMatchObject({ ok: false, error: { code: 'INPUT' } })

    const forced = await runCli(['certs', 'a.test', '--out', '.', '--force'], dir)
    expect(forced.code, forced.stderr).toBe(0)
    expect(await readFile(join(dir, 'a.test.key'), 'utf8')).not.toBe(before)
    expect(await mode(join(dir, 'a.test.key'))).toBe(0o600)
  })

  it('a CA that cannot sign is exit 2, naming why', async () => {
    await writeFile(join(dir, 'ca.crt'), 'not a certificate')
    const half = await runCli(['certs', 'a.test', '--out', '.'], dir)
    expect(half).toMatchObject({ code: 2, stderr: expect.stringContaining('ca.key is missing next to') })
    await writeFile(join(dir, 'ca.key'), 'not a key')
    const broken = await runCli(['certs', 'a.test', '--out', '.'], dir)
    expect(broken).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('ca.crt is not a PEM certificate'),
    })
  })

  it('usage errors: no domain, no --out, a malformed domain, key type or day count', async () => {
    expect(await runCli(['certs', '--out', dir])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('one DOMAIN or more'),
    })
    expect(await runCli(['certs', 'a.test'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--out DIR'),
    })
    const malformed = await runCli(['certs', 'not a domain', '--out', dir, '--json'])
    expect(malformed.json()).toMatchObject({
      ok: false,
      error: { code: 'USAGE', message: expect.stringContaining('"not a domain"') },
    })
    expect((await runCli(['certs', 'a.test', '--out', dir, '--key-type', 'dsa'])).stderr).toContain(
      'rsa or ecdsa-p256',
    )
    expect((await runCli(['certs', 'a.test', '--out', dir, '--days', '0'])).stderr).toContain(
      '--days must be',
    )
    expect((await runCli(['help', 'certs'])).stdout).toContain('--key-type rsa|ecdsa-p256')
  })
})
