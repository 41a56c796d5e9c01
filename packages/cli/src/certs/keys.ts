import { createPrivateKey, createPublicKey, type KeyObject, webcrypto } from 'node:crypto'
import { x509 } from './x509.js'

type CryptoKey = webcrypto.CryptoKey

/**
 * The algorithm of a new key. RSA 2048 is what every XMPP server takes without settings;
 * ECDSA P-256 is smaller and faster, and Prosody 0.12 and ejabberd 23.01 take it too.
 */
export type KeyType = 'rsa' | 'ecdsa-p256'

/** The key types certificates can be made with (`certs --key-type`). */
export const KEY_TYPES: readonly KeyType[] = ['rsa', 'ecdsa-p256']

// Generation parameters double as signing ones: WebCrypto reads what each step needs.
const ALGORITHMS = {
  rsa: {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
} as const

/** A private key, with what is needed to sign with it and to name it in a certificate. */
export interface SigningKey {
  readonly type: KeyType
  readonly privateKey: CryptoKey
  /** SubjectPublicKeyInfo, DER. */
  readonly publicKeySpki: ArrayBuffer
}

export async function generateKey(type: KeyType): Promise<SigningKey> {
  const pair = await webcrypto.subtle.generateKey(ALGORITHMS[type], true, ['sign', 'verify'])
  return {
    type,
    privateKey: pair.privateKey,
    publicKeySpki: await webcrypto.subtle.exportKey('spki', pair.publicKey),
  }
}

/** The WebCrypto algorithm that signs with a key of this type. */
export function signingAlgorithm(type: KeyType) {
  return ALGORITHMS[type]
}

/** PKCS#8 PEM, the form Prosody, ejabberd and node:tls all read. */
export async function privateKeyPem(key: SigningKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key.privateKey)
  return withNewline(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'))
}

/**
 * Reads a PEM private key (PKCS#8, PKCS#1 or SEC1) of a supported type; throws a
 * sentence that follows the file's name when it is none.
 */
export async function readPrivateKey(pem: string): Promise<SigningKey> {
  let key: KeyObject
  try {
    key = createPrivateKey(pem)
  } catch {
    throw new Error('is not a PEM private key')
  }
  const type = keyTypeOf(key)
  if (!type) throw new Error(`holds a ${describeKey(key)} key; only RSA and ECDSA P-256 keys can sign here`)
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' })
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, ALGORITHMS[type], false, ['sign'])
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' })
  return { type, privateKey, publicKeySpki: new Uint8Array(spki).buffer }
}

function keyTypeOf(key: KeyObject): KeyType | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'rsa'
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'ecdsa-p256'
  return undefined
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve
  return curve ? `${key.asymmetricKeyType} ${curve}` : String(key.asymmetricKeyType)
}

export function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`
}
