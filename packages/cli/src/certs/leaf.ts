import { webcrypto } from 'node:crypto'
import type { Authority } from './authority.js'
import { generateKey, type KeyType, privateKeyPem, signingAlgorithm, withNewline } from './keys.js'
import { backdated, randomSerial } from './serial.js'
import { x509 } from './x509.js'

export interface LeafOptions {
  readonly domain: string
  readonly keyType: KeyType
  readonly now: Date
  readonly notAfter: Date
}

/** What a server of the domain presents, and its key (PEM). */
export interface Leaf {
  /** The leaf, then the CA: the chain a server sends. */
  readonly chainPem: string
  readonly keyPem: string
  readonly notAfter: Date
}

/**
 * A server certificate for one XMPP domain, signed by the authority. The domain is a
 * dNSName only: RFC 9525 needs nothing more, and ejabberd 23.01 crashes on an
 * id-on-xmppAddr entry. Both serverAuth and clientAuth, because in s2s each server is
 * the TLS client of the other one's stream, and Prosody and ejabberd check the purpose
 * of the certificate the initiating server presents for SASL EXTERNAL.
 */
export async function issueLeaf(authority: Authority, options: LeafOptions): Promise<Leaf> {
  const key = await generateKey(options.keyType)
  const publicKey = new x509.PublicKey(key.publicKeySpki)
  // A certificate cannot outlive its issuer (RFC 5280 path validation checks each one).
  const notAfter = new Date(Math.min(options.notAfter.getTime(), authority.cert.notAfter.getTime()))
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      // For people reading the certificate; peers look only at the subjectAltName (RFC 9525 §6.3).
      subject: [{ CN: [options.domain] }],
      issuer: authority.cert.subjectName,
      notBefore: backdated(options.now),
      notAfter,
      publicKey,
      signingKey: authority.key.privateKey,
      signingAlgorithm: signingAlgorithm(authority.key.type),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(keyUsages(options.keyType), true),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: options.domain }]),
        await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
        await x509.AuthorityKeyIdentifierExtension.create(authority.cert.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  )
  return {
    chainPem: withNewline(cert.toString('pem')) + authority.certPem,
    keyPem: await privateKeyPem(key),
    notAfter,
  }
}

// RFC 5480 §3: an EC key never enciphers keys; an RSA key may (TLS 1.2 RSA key exchange).
function keyUsages(type: KeyType): number {
  return type === 'rsa'
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature
}
