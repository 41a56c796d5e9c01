import { execFileSync } from 'node:child_process'
import path from 'node:path'

/**
 * A throwaway CA and one certificate per domain (DNS SAN, server and client auth: SASL EXTERNAL
 * presents it both ways), made with the openssl CLI as a consumer would: the private testing
 * package that tests use otherwise is not published.
 */
export function writeTestCertificates(dir: string, domains: string[]): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2']
  openssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=consumer test CA')
  for (const domain of domains) {
    openssl(
      'req',
      '-x509',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      ...ecKey,
      '-keyout',
      path.join(dir, `${domain}.key`),
      '-out',
      path.join(dir, `${domain}.crt`),
      '-subj',
      `/CN=${domain}`,
      '-addext',
      `subjectAltName=DNS:${domain}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-addext',
      'extendedKeyUsage=serverAuth,clientAuth',
    )
  }
}
