import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto'
import {
  generateKey,
  type KeyType,
  readPrivateKey,
  type SigningKey,
  signingAlgorithm,
  withNewline,
} from './keys.js'
import { backdated, randomSerial } from './serial.js'
import { x509 } from './x509.js'

/** A certificate authority that can sign: its certificate and its key. */
export interface Authority {
  readonly cert: x509.X509Certificate
  /** The certificate, PEM, as `ca.crt` holds it. */
  readonly certPem: string
  readonly key: SigningKey
}

export interface NewAuthorityOptions {
  readonly name: string
  readonly keyType: KeyType
  readonly now: Date
  readonly notAfter: Date
}

/** A self-signed root: basicConstraints CA (critical), keyUsage keyCertSign and cRLSign (critical). */
export async function createAuthority(options: NewAuthorityOptions): Promise<Authority> {
  const key = await generateKey(options.keyType)
  const publicKey = new x509.PublicKey(key.publicKeySpki)
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      // The JSON form keeps commas and other DN specials in the name from being read as syntax.
      subject: [{ CN: [options.name] }],
      issuer: [{ CN: [options.name] }],
      notBefore: backdated(options.now),
      notAfter: options.notAfter,
      publicKey,
      signingKey: key.privateKey,
      signingAlgorithm: signingAlgorithm(key.type),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  )
  return { cert, certPem: withNewline(cert.toString('pem')), key }
}

/**
 * The authority a directory already holds, so domains can be added to it later. Throws
 * when the pair cannot sign: not a CA, a key that is not the certificate's, expired.
 */
export async function readAuthority(certPem: string, keyPem: string, now: Date): Promise<Authority> {
  let checked: X509Certificate
  try {
    checked = new X509Certificate(certPem)
  } catch {
    throw new Error('ca.crt is not a PEM certificate')
  }
  if (!checked.ca) throw new Error('ca.crt is not a CA certificate (basicConstraints CA:FALSE or absent)')
  const key = await readPrivateKey(keyPem).catch((error: Error) => {
    throw new Error(`ca.key ${error.message}`)
  })
  if (!checked.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('ca.key is not the key of ca.crt')
  if (new Date(checked.validTo) <= now) throw new Error(`ca.crt expired on ${checked.validTo}`)
  const cert = new x509.X509Certificate(checked.raw)
  return { cert, certPem: withNewline(cert.toString('pem')), key }
}
