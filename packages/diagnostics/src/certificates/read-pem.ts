import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/** Every certificate in a PEM text, in file order (the leaf first in a chain file). */
export function parsePemCertificates(text: string): X509Certificate[] {
  return (text.match(PEM_BLOCK) ?? []).map((block) => new X509Certificate(block))
}

/** Reads a PEM file; rejects with a message naming the file when it holds no readable certificate. */
export async function readPemCertificates(file: string): Promise<X509Certificate[]> {
  const text = await readFile(file, 'utf8')
  let certificates: X509Certificate[]
  try {
    certificates = parsePemCertificates(text)
  } catch (error) {
    throw new Error(`${file} holds a certificate that cannot be parsed: ${(error as Error).message}`)
  }
  if (certificates.length === 0)
    throw new Error(`${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`)
  return certificates
}
