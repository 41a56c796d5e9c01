import { basename } from 'node:path'
import { ConfigError, compareNodeSettings, loadConfigFile, type NodeSettings } from '@xmpp-federation/config'
import { type FetchStatusOptions, statusUrl } from '../status/fetch-status.js'
import { fetchStatusDocument } from '../status/fetch-status-document.js'
import { StatusFetchError } from '../status/status-shape.js'
import type { ClusterDiffReport, UnreadableFile } from './compare-files.js'
import { maskSecrets } from './mask-secrets.js'
import { nodeSettingsOf } from './masked-settings.js'

/** How compareNodes reaches running nodes: `token` for their status handlers, a timeout, a fetch. */
export type CompareNodesOptions = Pick<FetchStatusOptions, 'token' | 'timeoutMs' | 'fetch'>

/** A source is a running node when it is an http(s) URL, a configuration file otherwise. */
export const isStatusUrl = (source: string) => /^https?:\/\//i.test(source)

/**
 * compareConfigFiles for configuration files and running nodes alike: a URL is read from the
 * node's status document (`GET <base>/status`, its `settings` and `configFingerprint`), which a
 * node serves when its host gave createStatusHandler the configuration. Secrets are masked on
 * both sides the same way, so a file and a running node compare. The report's `files` are the
 * sources as given (a path or a URL).
 */
export async function compareNodes(
  sources: readonly string[],
  options: CompareNodesOptions = {},
): Promise<ClusterDiffReport> {
  const read = await Promise.all(sources.map((source) => readNode(source, sources, options)))
  const nodes = read.filter((entry): entry is { source: string; node: NodeSettings } => 'node' in entry)
  const unreadable = read.filter((entry): entry is UnreadableFile => 'message' in entry)
  const named = distinctNames(nodes)
  const comparison = maskSecrets(compareNodeSettings(named.map(({ node }) => node)))
  return {
    ok: unreadable.length === 0 && comparison.identical && comparison.problems.length === 0,
    files: named.map(({ source, node }) => ({
      file: source,
      cluster: node.cluster,
      node: node.name,
      enabled: node.enabled,
      fingerprint: node.fingerprint,
    })),
    unreadable,
    comparison,
  }
}

async function readNode(
  source: string,
  sources: readonly string[],
  options: CompareNodesOptions,
): Promise<{ source: string; node: NodeSettings } | UnreadableFile> {
  try {
    if (isStatusUrl(source)) return { source, node: await nodeFromStatus(source, options) }
    const config = await loadConfigFile(source, { checkFiles: false })
    return { source, node: nodeSettingsOf(config, config.node ?? fileName(source, sources)) }
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof StatusFetchError)) throw error
    return { file: source, message: error.message }
  }
}

async function nodeFromStatus(url: string, options: CompareNodesOptions): Promise<NodeSettings> {
  const document = await fetchStatusDocument(url, options)
  const where = statusUrl(url).href
  if (!document.settings || !document.configFingerprint || !document.node) {
    throw new StatusFetchError(
      `${where} shows no settings: its host must give createStatusHandler the configuration (config)`,
    )
  }
  return {
    name: document.node.name ?? new URL(url).host,
    cluster: document.node.cluster,
    enabled: document.node.enabled,
    fingerprint: document.configFingerprint,
    settings: document.settings,
  }
}

/** Two sources claiming one node name (copies of a file, two untagged nodes) are told apart by source. */
function distinctNames<T extends { source: string; node: NodeSettings }>(nodes: T[]): T[] {
  const count = (name: string) => nodes.filter((entry) => entry.node.name === name).length
  return nodes.map((entry) =>
    count(entry.node.name) > 1
      ? { ...entry, node: { ...entry.node, name: `${entry.node.name} (${entry.source})` } }
      : entry,
  )
}

/** A node without a `node` tag is named after its file, in full only when base names collide. */
function fileName(file: string, sources: readonly string[]): string {
  const base = basename(file)
  return sources.filter((other) => basename(other) === base).length > 1 ? file : base
}
