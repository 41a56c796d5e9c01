import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestCA, type IssueOptions, type TestCA, writeCertificateFiles } from '@xmpp-federation/testing'

const DAY = 86_400_000

/** A scratch directory with a test CA, for configuration files and the certificates they name. */
export interface ConfigBench {
  dir: string
  ca: TestCA
  caFile: string
  /** Issues a certificate and writes `<name>.crt` and `<name>.key`; defaults to one year, naming c.test. */
  certificate(name: string, options?: IssueOptions): Promise<{ cert: string; key: string }>
  /** Writes a JSON configuration file and returns its path. */
  configFile(name: string, settings: object): Promise<string>
  cleanup(): Promise<void>
}

export async function createConfigBench(): Promise<ConfigBench> {
  const dir = await mkdtemp(join(tmpdir(), 'xf-diagnostics-'))
  const ca = await createTestCA({ name: 'Bench CA' })
  const caFile = join(dir, 'ca.crt')
  await writeFile(caFile, ca.certPem)
  return {
    dir,
    ca,
    caFile,
    async certificate(name, options = {}) {
      const issued = await ca.issue({
        dnsNames: ['c.test'],
        commonName: 'c.test',
        notAfter: new Date(Date.now() + 365 * DAY),
        ...options,
      })
      const files = await writeCertificateFiles(dir, name, issued)
      return { cert: files.cert, key: files.key }
    },
    async configFile(name, settings) {
      const file = join(dir, name)
      await writeFile(file, JSON.stringify(settings, null, 2))
      return file
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY)
