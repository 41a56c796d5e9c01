import { readFile } from 'node:fs/promises'
import { dirname, extname, isAbsolute, resolve } from 'node:path'
import {
  ConfigError,
  type ConfigIssue,
  type FederationConfig,
  loadConfigFile,
  parseConfig,
} from '@xmpp-federation/config'
import { parse as parseYaml } from 'yaml'

/**
 * The gateway's `cluster` section: several gateway processes serving the same domains share
 * their route leases and outbox in one Redis.
 */
export interface GatewayClusterConfig {
  /** `redis://host:port` of a Redis 7 that every gateway of the deployment uses. */
  redis: string
  /** This process's name in the cluster: unique, and the same across its restarts. */
  nodeId: string
  /** Route lease lifetime; default the cluster's (10 s). */
  leaseMs?: number
  /** Name of the cluster, for diagnostics that compare clusters (the federation config's `cluster`). */
  name?: string
}

export interface GatewayConfigFile {
  config: FederationConfig
  cluster: GatewayClusterConfig | undefined
}

/**
 * Reads a gateway config file: the federation config, where `cluster` may be an object
 * (`{ "redis": "redis://…", "nodeId": "…" }`) that runs this gateway as one node of several. The
 * federation config itself knows `cluster` only as a cluster's name: the object is taken out,
 * its `name` and `nodeId` become the federation config's `cluster` and `node`.
 */
export async function loadGatewayConfig(file: string): Promise<GatewayConfigFile> {
  const document = await readDocument(file)
  if (!isObject(document) || !isObject(document.cluster)) {
    return { config: await loadConfigFile(file), cluster: undefined }
  }
  const cluster = clusterSection(document.cluster, file)
  const { cluster: _section, ...rest } = document
  const config = parseConfig(
    withFilesResolved(
      { ...rest, node: rest.node ?? cluster.nodeId, ...(cluster.name ? { cluster: cluster.name } : {}) },
      dirname(resolve(file)),
    ),
    { source: file },
  )
  return { config, cluster }
}

async function readDocument(file: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined // loadConfigFile says what is wrong with the file
  }
  try {
    return extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text)
  } catch {
    return undefined // ditto, with the line and column
  }
}

function clusterSection(value: Record<string, unknown>, file: string): GatewayClusterConfig {
  const problems: ConfigIssue[] = []
  const { redis, nodeId, leaseMs, name, ...unknown } = value
  if (typeof redis !== 'string' || !/^rediss?:\/\/[^\s]+$/.test(redis)) {
    problems.push({
      code: 'BAD_VALUE',
      path: 'cluster.redis',
      message: 'must be a Redis URL',
      fix: 'e.g. "redis://10.0.0.5:6379"',
    })
  }
  if (typeof nodeId !== 'string' || !/^[^\s{}|]+$/.test(nodeId)) {
    problems.push({
      code: 'BAD_VALUE',
      path: 'cluster.nodeId',
      message: "must name this gateway: no spaces, braces or '|'",
      fix: 'e.g. "gw-1", different on each gateway of the cluster',
    })
  }
  if (leaseMs !== undefined && !(Number.isInteger(leaseMs) && (leaseMs as number) >= 300)) {
    problems.push({
      code: 'BAD_VALUE',
      path: 'cluster.leaseMs',
      message: 'must be an integer of at least 300 (milliseconds)',
    })
  }
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    problems.push({ code: 'BAD_VALUE', path: 'cluster.name', message: 'must be a non-empty name' })
  }
  for (const key of Object.keys(unknown)) {
    problems.push({
      code: 'UNKNOWN_KEY',
      path: `cluster.${key}`,
      message: 'is not a setting',
      fix: 'use redis, nodeId, leaseMs or name',
    })
  }
  if (problems.length > 0) {
    throw new ConfigError(problems, file)
  }
  return {
    redis: redis as string,
    nodeId: nodeId as string,
    ...(leaseMs === undefined ? {} : { leaseMs: leaseMs as number }),
    ...(name === undefined ? {} : { name: name as string }),
  }
}

/** Certificate and key paths are relative to the config file, as loadConfigFile reads them. */
function withFilesResolved(document: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  if (!isObject(document.tls)) return document
  const at = (file: unknown) =>
    typeof file === 'string' && !isAbsolute(file) ? resolve(baseDir, file) : file
  const tls = { ...document.tls }
  for (const key of ['cert', 'key'] as const) if (tls[key] !== undefined) tls[key] = at(tls[key])
  if (Array.isArray(tls.ca)) tls.ca = tls.ca.map(at)
  if (isObject(tls.certificates)) {
    tls.certificates = Object.fromEntries(
      Object.entries(tls.certificates).map(([domain, files]) => [
        domain,
        isObject(files) ? { ...files, cert: at(files.cert), key: at(files.key) } : files,
      ]),
    )
  }
  return { ...document, tls }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
