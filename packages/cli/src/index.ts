/**
 * The `xmpp-federation` command line: check-config, diff, doctor, status and certs, with
 * human output and `--json`. The diagnostics live in @xmpp-federation/diagnostics; this
 * package parses arguments and prints. `createDevelopmentCertificates` is the certs command
 * as a function: a development CA and server certificates for XMPP domains.
 *
 * @example
 * ```ts
 * import { run } from '@xmpp-federation/cli'
 *
 * const exitCode = await run(['doctor', 'example.org', '--json'], {
 *   stdout: (text) => process.stdout.write(text),
 *   stderr: (text) => process.stderr.write(text),
 *   cwd: process.cwd(),
 *   color: false,
 *   width: 100,
 * })
 * ```
 * @packageDocumentation
 */
export {
  CertificatesError,
  type CertificatesErrorCode,
  createDevelopmentCertificates,
  type DevelopmentCertificates,
  type DevelopmentCertificatesOptions,
  KEY_TYPES,
  type KeyType,
} from './certs/index.js'
export { type CliIo, processIo } from './io.js'
export { JSON_SCHEMA_VERSION } from './render/json.js'
export { run } from './run.js'
export { EXIT } from './usage.js'
