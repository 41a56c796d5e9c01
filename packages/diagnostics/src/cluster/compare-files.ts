import { basename } from 'node:path'
import {
  type ClusterComparison,
  ConfigError,
  compareClusters,
  DEFAULT_CLUSTER,
  type FederationConfig,
  fingerprint,
  loadConfigFile,
} from '@xmpp-federation/config'
import { maskSecrets } from './mask-secrets.js'

/** One configuration file that loaded, and the cluster and node it declares. */
export interface ComparedFile {
  file: string
  cluster: string
  node: string
  enabled: boolean
  fingerprint: string
}

/** A file compareConfigFiles could not load, with the reason. */
export interface UnreadableFile {
  file: string
  message: string
}

/**
 * What compareConfigFiles reports: the files, the cluster comparison (secrets masked) and the files that did
 * not load.
 */
export interface ClusterDiffReport {
  /** True when every file loaded, every cluster has a federation node and all settings agree. */
  ok: boolean
  files: ComparedFile[]
  /** Files that could not be loaded; they are left out of the comparison. */
  unreadable: UnreadableFile[]
  /** The config package's comparison, with secret values shortened (`sha256:<12 hex>…`). */
  comparison: ClusterComparison
}

/**
 * Compares the configuration files of several nodes, each tagged with `cluster` and `node`.
 * Certificate files are not opened: they live on the other nodes.
 */
export async function compareConfigFiles(files: readonly string[]): Promise<ClusterDiffReport> {
  const loaded: { file: string; config: FederationConfig }[] = []
  const unreadable: UnreadableFile[] = []
  for (const file of files) {
    try {
      loaded.push({ file, config: await loadConfigFile(file, { checkFiles: false }) })
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      unreadable.push({ file, message: error.message })
    }
  }
  const labelOf = (file: string, config: FederationConfig) => config.node ?? nodeName(file, files)
  const comparison = maskSecrets(
    compareClusters(loaded.map(({ file, config }) => ({ config, label: labelOf(file, config) }))),
  )
  return {
    ok: unreadable.length === 0 && comparison.identical && comparison.problems.length === 0,
    files: loaded.map(({ file, config }) => ({
      file,
      cluster: config.cluster ?? DEFAULT_CLUSTER,
      node: labelOf(file, config),
      enabled: config.enabled,
      fingerprint: fingerprint(config),
    })),
    unreadable,
    comparison,
  }
}

/** A node without a `node` tag is named after its file, in full only when base names collide. */
function nodeName(file: string, files: readonly string[]): string {
  const base = basename(file)
  return files.filter((other) => basename(other) === base).length > 1 ? file : base
}
