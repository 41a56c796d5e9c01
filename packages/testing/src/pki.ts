// A throwaway certificate authority for tests, built in-process (no openssl CLI).
// Keys are RSA 2048 signing with RSASSA-PKCS1-v1_5/SHA-256 by default, the safest choice
// for interop: Node, Prosody 0.12 (LuaSec) and ejabberd 23.01 all take it without settings.
// ECDSA P-256 (signing with ECDSA/SHA-256) is there to prove the peers take that too.
import 'reflect-metadata'
import { randomBytes, webcrypto } from 'node:crypto'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

// codeSigning and anyExtendedKeyUsage exist so tests can present purposes a verifier must judge.
export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth' | 'codeSigning' | 'anyExtendedKeyUsage'

/** The key algorithm of a certificate (and of the signatures made with its key). */
export type KeyType = 'rsa' | 'ecdsa-p256'

export interface IssueOptions {
  /** subjectAltName dNSName entries (default: [commonName] if commonName given) */
  dnsNames?: string[]
  /** SRVName otherNames (RFC 4985), e.g. '_xmpp-server.a.test' */
  srvNames?: string[]
  /** id-on-xmppAddr otherNames (RFC 6120 §13.7.1.4). NOTE: ejabberd 23.01 crashes on these; default none */
  xmppAddrs?: string[]
  /** subject CN (RFC 9525 says never use it for identity; we set it for readability) */
  commonName?: string
  /** default ['serverAuth', 'clientAuth']; [] = no EKU extension */
  extendedKeyUsage?: ExtendedKeyUsage[]
  /** default now - 1 hour */
  notBefore?: Date
  /** default now + 30 days */
  notAfter?: Date
  /** signed by its own key instead of the CA */
  selfSigned?: boolean
  /**
   * Leaf certificates share one RSA key per process, because generating one costs
   * 50-200 ms. Set this when a test needs a key no other certificate has.
   */
  freshKey?: boolean
  /** The leaf's key; default 'rsa'. Its signature follows the issuer's key (or its own when self-signed). */
  keyType?: KeyType
}

export interface IssuedCertificate {
  /** leaf certificate (PEM) */
  certPem: string
  /** PKCS#8 private key (PEM) */
  keyPem: string
  /** leaf + intermediate(s) if any (PEM), what a server presents */
  chainPem: string
}

export interface IntermediateOptions {
  /**
   * false issues a certificate that can sign (keyUsage keyCertSign) yet says CA:FALSE
   * in basicConstraints: the shape of the classic "leaf used as a CA" attack, so tests
   * can prove a verifier refuses it as an issuer. Default true.
   */
  ca?: boolean
  notBefore?: Date
  notAfter?: Date
}

export interface TestCA {
  /** the CA certificate (PEM) */
  certPem: string
  issue(options: IssueOptions): Promise<IssuedCertificate>
  /** An intermediate CA signed by this CA; its issue() returns chainPem = leaf + intermediate. */
  intermediate(name?: string, options?: IntermediateOptions): Promise<TestCA>
}

export interface TestCAOptions {
  name?: string
  /** The CA's key, hence the algorithm of every signature it makes; default 'rsa'. */
  keyType?: KeyType
  notBefore?: Date
  notAfter?: Date
}

const KEY_ALGORITHMS = {
  rsa: {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
} as const

/** How a key of this pair signs: generation parameters double as signing ones (WebCrypto reads what it needs). */
function signingAlgorithm(keys: CryptoKeyPair) {
  return keys.privateKey.algorithm.name === 'ECDSA' ? KEY_ALGORITHMS['ecdsa-p256'] : KEY_ALGORITHMS.rsa
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

const EKU_OIDS: Record<ExtendedKeyUsage, string> = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
  codeSigning: x509.ExtendedKeyUsage.codeSigning,
  anyExtendedKeyUsage: '2.5.29.37.0', // RFC 5280 §4.2.1.12
}

// An authority that can sign: its certificate, its keys, and the intermediates
// (never the root) that a server must present above a leaf it signs.
interface Signer {
  cert: x509.X509Certificate
  keys: CryptoKeyPair
  intermediatesPem: string[]
}

export async function createTestCA(options: TestCAOptions = {}): Promise<TestCA> {
  const keys = await generateKeys(options.keyType)
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: subjectName(options.name ?? 'xmpp-federation Test CA'),
      notBefore: options.notBefore ?? hoursFromNow(-1),
      notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY),
      keys,
      signingAlgorithm: signingAlgorithm(keys),
      extensions: await authorityExtensions(keys.publicKey, true),
    },
    webcrypto,
  )
  return testCA({ cert, keys, intermediatesPem: [] })
}

function testCA(signer: Signer): TestCA {
  return {
    certPem: pem(signer.cert),
    issue: (options) => issueLeaf(signer, options),
    intermediate: (name, options) =>
      issueIntermediate(signer, name ?? 'xmpp-federation Test Intermediate CA', options),
  }
}

async function issueIntermediate(
  parent: Signer,
  name: string,
  options: IntermediateOptions = {},
): Promise<TestCA> {
  const keys = await generateKeys(keyTypeOf(parent.keys))
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: subjectName(name),
      issuer: parent.cert.subjectName,
      notBefore: options.notBefore ?? hoursFromNow(-1),
      notAfter: options.notAfter ?? new Date(Date.now() + 180 * DAY),
      publicKey: keys.publicKey,
      signingKey: parent.keys.privateKey,
      signingAlgorithm: signingAlgorithm(parent.keys),
      extensions: [
        ...(await authorityExtensions(keys.publicKey, options.ca ?? true)),
        await authorityKeyIdentifier(parent.keys.publicKey),
      ],
    },
    webcrypto,
  )
  return testCA({ cert, keys, intermediatesPem: [pem(cert), ...parent.intermediatesPem] })
}

async function issueLeaf(ca: Signer, options: IssueOptions): Promise<IssuedCertificate> {
  const keyType = options.keyType ?? 'rsa'
  const keys = options.freshKey ? await generateKeys(keyType) : await sharedLeafKeys(keyType)
  const signer = options.selfSigned
    ? { keys, subject: undefined }
    : { keys: ca.keys, subject: ca.cert.subjectName }
  const subject = options.commonName === undefined ? [] : subjectName(options.commonName)
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject,
      issuer: signer.subject ?? subject,
      notBefore: options.notBefore ?? hoursFromNow(-1),
      notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY),
      publicKey: keys.publicKey,
      signingKey: signer.keys.privateKey,
      signingAlgorithm: signingAlgorithm(signer.keys),
      extensions: await leafExtensions(options, keys.publicKey, signer.keys.publicKey),
    },
    webcrypto,
  )
  const certPem = pem(cert)
  const above = options.selfSigned ? [] : ca.intermediatesPem
  return { certPem, keyPem: await privateKeyPem(keys.privateKey), chainPem: [certPem, ...above].join('') }
}

async function authorityExtensions(publicKey: CryptoKey, isCA: boolean): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(isCA, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
  ]
}

async function leafExtensions(
  options: IssueOptions,
  publicKey: CryptoKey,
  issuerKey: CryptoKey,
): Promise<x509.Extension[]> {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // RFC 5480 §3: an EC key never enciphers keys; RSA keys may (TLS 1.2 RSA key exchange).
    new x509.KeyUsagesExtension(
      publicKey.algorithm.name === 'ECDSA'
        ? x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
    await authorityKeyIdentifier(issuerKey),
  ]
  const usages = (options.extendedKeyUsage ?? ['serverAuth', 'clientAuth']).map((usage) => EKU_OIDS[usage])
  if (usages.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(usages))
  const san = subjectAltName({
    dnsNames: options.dnsNames ?? (options.commonName === undefined ? [] : [options.commonName]),
    srvNames: options.srvNames ?? [],
    xmppAddrs: options.xmppAddrs ?? [],
  })
  // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical.
  if (san) extensions.push(new x509.Extension(SAN_OID, options.commonName === undefined, san))
  return extensions
}

function authorityKeyIdentifier(issuerKey: CryptoKey): Promise<x509.AuthorityKeyIdentifierExtension> {
  return x509.AuthorityKeyIdentifierExtension.create(issuerKey, false, webcrypto)
}

// --- subjectAltName, DER-encoded by hand: @peculiar/x509's GeneralName has no
// otherName form, and SRVName/xmppAddr are exactly the otherNames XMPP needs.

const SAN_OID = '2.5.29.17'
const ID_ON_DNS_SRV = '1.3.6.1.5.5.7.8.7' // RFC 4985 §2: SRVName ::= IA5String
const ID_ON_XMPP_ADDR = '1.3.6.1.5.5.7.8.5' // RFC 6120 §13.7.1.4: XmppAddr ::= UTF8String

const TAG = {
  oid: 0x06,
  utf8String: 0x0c,
  ia5String: 0x16,
  sequence: 0x30,
  otherName: 0xa0, // [0] constructed, also the explicit tag around otherName's value
  dNSName: 0x82, // [2] primitive, IA5String implied
}

function subjectAltName(names: {
  dnsNames: string[]
  srvNames: string[]
  xmppAddrs: string[]
}): Buffer | null {
  const entries = [
    ...names.dnsNames.map((name) => der(TAG.dNSName, Buffer.from(name, 'ascii'))),
    ...names.srvNames.map((name) => otherName(ID_ON_DNS_SRV, der(TAG.ia5String, Buffer.from(name, 'ascii')))),
    ...names.xmppAddrs.map((addr) =>
      otherName(ID_ON_XMPP_ADDR, der(TAG.utf8String, Buffer.from(addr, 'utf8'))),
    ),
  ]
  return entries.length === 0 ? null : der(TAG.sequence, Buffer.concat(entries))
}

function otherName(typeId: string, value: Buffer): Buffer {
  return der(
    TAG.otherName,
    Buffer.concat([der(TAG.oid, objectIdentifier(typeId)), der(TAG.otherName, value)]),
  )
}

function der(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content])
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

// X.690 §8.19: first two arcs share a byte, later arcs are base-128 with continuation bits.
function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [first * 40 + second]
  for (const arc of rest) {
    const base128 = [arc & 0x7f]
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      base128.unshift(0x80 | (value & 0x7f))
    }
    bytes.push(...base128)
  }
  return Buffer.from(bytes)
}

// --- keys, names, serials, PEM

const leafKeys = new Map<KeyType, Promise<CryptoKeyPair>>()

function sharedLeafKeys(keyType: KeyType): Promise<CryptoKeyPair> {
  let keys = leafKeys.get(keyType)
  if (!keys) {
    keys = generateKeys(keyType)
    leafKeys.set(keyType, keys)
  }
  return keys
}

function generateKeys(keyType: KeyType = 'rsa'): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHMS[keyType], true, ['sign', 'verify'])
}

function keyTypeOf(keys: CryptoKeyPair): KeyType {
  return keys.privateKey.algorithm.name === 'ECDSA' ? 'ecdsa-p256' : 'rsa'
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key)
  return withNewline(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'))
}

// The JSON form keeps commas and other DN specials in a name from being parsed as syntax.
function subjectName(commonName: string): x509.JsonName {
  return [{ CN: [commonName] }]
}

// RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random octets with the top bit
// cleared (and the next one set, so DER never drops a leading zero byte).
function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40
  return bytes.toString('hex')
}

function hoursFromNow(hours: number): Date {
  return new Date(Date.now() + hours * HOUR)
}

function pem(cert: x509.X509Certificate): string {
  return withNewline(cert.toString('pem'))
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`
}

/**
 * Writes `<name>.crt`, `<name>.key`, `<name>.pem` (cert+key, for ejabberd) with mode
 * 0644/0640; returns their paths. `.crt` holds the full chain a server presents.
 */
export async function writeCertificateFiles(
  dir: string,
  name: string,
  cert: IssuedCertificate,
): Promise<{ cert: string; key: string; pem: string }> {
  const paths = {
    cert: join(dir, `${name}.crt`),
    key: join(dir, `${name}.key`),
    pem: join(dir, `${name}.pem`),
  }
  await writeWithMode(paths.cert, cert.chainPem, 0o644)
  await writeWithMode(paths.key, cert.keyPem, 0o640)
  await writeWithMode(paths.pem, cert.chainPem + cert.keyPem, 0o640)
  return paths
}

// chmod after writing: the mode given to writeFile is filtered by the umask and
// ignored when the file already exists.
async function writeWithMode(path: string, text: string, mode: number): Promise<void> {
  await writeFile(path, text, { mode })
  await chmod(path, mode)
}
