/**
 * The `xmpp-federation` command line: check-config, diff, doctor and status, with human
 * output and `--json`. The logic lives in @xmpp-federation/diagnostics; this package parses
 * arguments and prints.
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
export { type CliIo, processIo } from './io.js'
export { JSON_SCHEMA_VERSION } from './render/json.js'
export { run } from './run.js'
export { EXIT } from './usage.js'
