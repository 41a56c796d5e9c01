import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createTestCA, type KeyType, type TestCA } from '@xmpp-federation/testing'

/**
 * Certificates for every domain the bench uses, from one throwaway test CA. Leaves share one
 * key (the test CA's design: an RSA key costs 50-200 ms, a certificate about 4 ms), so thousands
 * of domains cost seconds, not minutes, and one key file serves them all. The CA and the leaves
 * have the same key type, so an ECDSA handshake checks no RSA signature anywhere in the chain.
 */
export interface BenchPki {
  readonly keyType: KeyType
  readonly caFile: string
  readonly caPem: string
  /** The key of every leaf certificate. */
  readonly keyFile: string
  /** cert (PEM file) + key for a domain, issued on first use. */
  files(domain: string): Promise<{ cert: string; key: string }>
  /** Issues many at once (a few in parallel); resolves when all files are written. */
  issueAll(domains: readonly string[]): Promise<void>
}

export async function createBenchPki(dir: string, keyType: KeyType = 'rsa'): Promise<BenchPki> {
  const ca: TestCA = await createTestCA({ name: `xmpp-federation bench CA (${keyType})`, keyType })
  const caFile = path.join(dir, 'ca.crt')
  const keyFile = path.join(dir, 'leaf.key')
  await writeFile(caFile, ca.certPem)
  let keyPem: string | undefined
  const issued = new Map<string, Promise<string>>()

  const issue = async (domain: string): Promise<string> => {
    const leaf = await ca.issue({ dnsNames: [domain], keyType })
    if (keyPem === undefined) {
      keyPem = leaf.keyPem
      await writeFile(keyFile, keyPem, { mode: 0o600 })
    } else if (leaf.keyPem !== keyPem) {
      throw new Error('the test CA no longer shares one leaf key: give each domain its own key file')
    }
    const file = path.join(dir, `${domain}.crt`)
    await writeFile(file, leaf.chainPem)
    return file
  }
  const certFile = (domain: string): Promise<string> => {
    let file = issued.get(domain)
    if (!file) {
      file = issue(domain)
      issued.set(domain, file)
    }
    return file
  }

  return {
    keyType,
    caFile,
    caPem: ca.certPem,
    keyFile,
    async files(domain) {
      const cert = await certFile(domain) // also writes the shared key the first time
      return { cert, key: keyFile }
    },
    async issueAll(domains) {
      if (domains.length === 0) return
      await certFile(domains[0]!) // the first one writes the shared key
      let next = 1
      const lane = async () => {
        while (next < domains.length) await certFile(domains[next++]!)
      }
      await Promise.all(Array.from({ length: 8 }, lane))
    },
  }
}
