import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FederationConfigInput } from '@xmpp-federation/config'
import { createTestCA, type TestCA, writeCertificateFiles } from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { createFederation, type Federation, type FederationOptions } from '../src/index.js'

export interface TestPki {
  ca: TestCA
  dir: string
  caFile: string
  /** cert/key files for a domain (issued on first use). */
  filesFor(domain: string): Promise<{ cert: string; key: string }>
}

export async function createTestPki(): Promise<TestPki> {
  const ca = await createTestCA()
  const dir = await mkdtemp(path.join(tmpdir(), 'xf-router-'))
  const caFile = path.join(dir, 'ca.crt')
  await writeFile(caFile, ca.certPem)
  const issued = new Map<string, { cert: string; key: string }>()
  return {
    ca,
    dir,
    caFile,
    async filesFor(domain) {
      let files = issued.get(domain)
      if (!files) {
        files = await writeCertificateFiles(dir, domain, await ca.issue({ dnsNames: [domain] }))
        issued.set(domain, files)
      }
      return files
    },
  }
}

/** A config for one local domain with TLS required and certificates from the test CA. */
export async function configFor(
  pki: TestPki,
  domain: string,
  extra: Partial<FederationConfigInput> = {},
): Promise<FederationConfigInput> {
  const files = await pki.filesFor(domain)
  return {
    domains: [domain],
    tls: { cert: files.cert, key: files.key, ca: [pki.caFile], systemCa: false },
    ...extra,
  }
}

export async function startFederation(options: FederationOptions): Promise<Federation> {
  // Quiet unless a test asks for a logger: warnings a test provokes on purpose are not news.
  const federation = createFederation({ logger: false, ...options })
  await federation.start()
  return federation
}

/** Resolves with the next `stanza` event the predicate accepts. */
export function nextStanza(
  federation: Federation,
  match: (s: Element) => boolean,
  timeoutMs = 5000,
): Promise<Element> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      federation.off('stanza', onStanza)
      reject(new Error('no matching stanza'))
    }, timeoutMs)
    const onStanza = (stanza: Element) => {
      if (!match(stanza)) return
      clearTimeout(timer)
      federation.off('stanza', onStanza)
      resolve(stanza)
    }
    federation.on('stanza', onStanza)
  })
}
