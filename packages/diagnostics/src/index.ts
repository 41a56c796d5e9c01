/**
 * Diagnostics for an XMPP federation deployment: configuration checks beyond the schema,
 * comparison of node configurations across clusters, the live status read and judged, its
 * Prometheus metrics (and an HTTP handler any host mounts to serve both), and a doctor that
 * tells why federation with a remote domain fails. Nothing here changes state.
 *
 * @example
 * ```ts
 * import { checkConfigFile, runDoctor } from '@xmpp-federation/diagnostics'
 * import { loadConfigFile } from '@xmpp-federation/config'
 *
 * const check = await checkConfigFile('/etc/xmpp-federation/federation.yaml')
 * const report = await runDoctor({ domain: 'example.org', config: await loadConfigFile('/etc/xmpp-federation/federation.yaml') })
 * for (const result of report.results) console.log(result.status, result.code, result.message)
 * ```
 * @packageDocumentation
 */
export * from './cluster/index.js'
export * from './config-check/index.js'
export * from './doctor/index.js'
export * from './http/index.js'
export * from './status/index.js'
