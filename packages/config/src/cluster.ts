import { canonicalFederationSettings, fingerprint } from './canonical.js'
import type { FederationConfig } from './schema.js'
import { differingPaths, type FlatSettings, flattenSettings, valueKey } from './settings-diff.js'

// The Diagnostics Troubleshooter's check: federation enabled on at least one node per cluster,
// and the federation configuration identical on every node of every cluster.

/** One node's configuration, as given to compareClusters. */
export interface ClusterNode {
  config: FederationConfig
  /** Name used in the report; defaults to `config.node`, then to the node's index. */
  label?: string
}

/** One cluster in a comparison: its nodes and which of them have federation enabled. */
export interface ClusterSummary {
  name: string
  nodes: string[]
  enabledNodes: string[]
  /** Fingerprint shared by the cluster's nodes, or null when they disagree (see NODE_CONFIG_DIFFERS). */
  fingerprint: string | null
}

/** What can be wrong across a cluster: no node federates, or nodes disagree on settings that must match. */
export type ClusterProblemCode = 'NO_FEDERATION_NODE' | 'CLUSTER_CONFIG_DIFFERS' | 'NODE_CONFIG_DIFFERS'

/** One problem found by compareClusters, with the cluster it concerns. */
export interface ClusterProblem {
  code: ClusterProblemCode
  cluster?: string
  message: string
}

/** One federation setting whose value differs between nodes of a cluster. */
export interface SettingDifference {
  /** Dotted setting path, e.g. `policy.deny` or `policy.domains.a.test.tls`. */
  path: string
  /** One entry per distinct value within a cluster; `value` is undefined where the setting is absent. */
  values: { cluster: string; nodes: string[]; value: unknown }[]
}

/** The result of compareClusters: whether the nodes agree, and where they do not. */
export interface ClusterComparison {
  /** True when every node of every cluster has the same federation settings. */
  identical: boolean
  clusters: ClusterSummary[]
  /** Empty when the deployment is consistent and every cluster has a federation node. */
  problems: ClusterProblem[]
  differences: SettingDifference[]
}

/** Nodes without a `cluster` tag belong to this cluster. */
export const DEFAULT_CLUSTER = 'default'

type ComparedNode = {
  name: string
  cluster: string
  enabled: boolean
  fingerprint: string
  flat: FlatSettings
}

/**
 * Compares the federation settings of several nodes, cluster by cluster (the `cluster` tag): every node of a
 * cluster must federate alike.
 */
export function compareClusters(nodes: readonly ClusterNode[]): ClusterComparison {
  return compareNodeSettings(
    nodes.map(({ config, label }, index) => ({
      name: label ?? config.node ?? `nodes[${index}]`,
      cluster: config.cluster ?? DEFAULT_CLUSTER,
      enabled: config.enabled,
      fingerprint: fingerprint(config),
      settings: Object.fromEntries(flattenSettings(canonicalFederationSettings(config))),
    })),
  )
}

/**
 * One node as compareNodeSettings takes it: its settings already flattened (dotted path → value), as a
 * running node shows them in its status document rather than as a configuration file.
 */
export interface NodeSettings {
  name: string
  cluster: string
  enabled: boolean
  fingerprint: string
  /** `flattenSettings(canonicalFederationSettings(config))`, possibly with secrets masked alike on every node. */
  settings: Readonly<Record<string, unknown>>
}

/** compareClusters for nodes known by their flattened settings (e.g. fetched from running nodes). */
export function compareNodeSettings(nodes: readonly NodeSettings[]): ClusterComparison {
  const compared: ComparedNode[] = nodes.map((node) => ({
    name: node.name,
    cluster: node.cluster,
    enabled: node.enabled,
    fingerprint: node.fingerprint,
    flat: new Map(Object.entries(node.settings)),
  }))
  const byCluster = groupBy(compared, (node) => node.cluster)
  const differences = differingPaths(compared.map((node) => node.flat)).map((path) =>
    difference(path, byCluster),
  )
  const clusters = [...byCluster].map(([name, members]) => summary(name, members))
  const problems = [
    ...clusters.filter((c) => c.enabledNodes.length === 0).map(noFederationNode),
    ...clusterConfigDiffers(byCluster, differences),
    ...[...byCluster].flatMap(([name, members]) => nodeConfigDiffers(name, members, differences)),
  ]
  return { identical: differences.length === 0, clusters, problems, differences }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item])
  return groups
}

function summary(name: string, members: ComparedNode[]): ClusterSummary {
  const fingerprints = new Set(members.map((node) => node.fingerprint))
  return {
    name,
    nodes: members.map((node) => node.name),
    enabledNodes: members.filter((node) => node.enabled).map((node) => node.name),
    fingerprint: fingerprints.size === 1 ? [...fingerprints][0]! : null,
  }
}

function difference(path: string, byCluster: Map<string, ComparedNode[]>): SettingDifference {
  const values: SettingDifference['values'] = []
  for (const [cluster, members] of byCluster) {
    for (const [, holders] of groupBy(members, (node) => valueKey(node.flat.get(path)))) {
      values.push({ cluster, nodes: holders.map((node) => node.name), value: holders[0]!.flat.get(path) })
    }
  }
  return { path, values }
}

function noFederationNode(cluster: ClusterSummary): ClusterProblem {
  return {
    code: 'NO_FEDERATION_NODE',
    cluster: cluster.name,
    message: `cluster ${cluster.name} has no node with federation enabled (nodes: ${cluster.nodes.join(', ')}); enable it on at least one node`,
  }
}

/** The set of values a cluster's nodes hold for `path`, as one comparable text. */
function clusterValueSet(difference: SettingDifference, cluster: string): string {
  return difference.values
    .filter((entry) => entry.cluster === cluster)
    .map((entry) => valueKey(entry.value))
    .sort()
    .join('|')
}

function clusterConfigDiffers(
  byCluster: Map<string, ComparedNode[]>,
  differences: SettingDifference[],
): ClusterProblem[] {
  const names = [...byCluster.keys()]
  const paths = differences
    .filter((d) => new Set(names.map((cluster) => clusterValueSet(d, cluster))).size > 1)
    .map((d) => d.path)
  if (paths.length === 0) return []
  return [
    {
      code: 'CLUSTER_CONFIG_DIFFERS',
      message: `the federation configuration differs between clusters ${names.join(', ')} in ${paths.join(', ')}`,
    },
  ]
}

function nodeConfigDiffers(
  cluster: string,
  members: ComparedNode[],
  differences: SettingDifference[],
): ClusterProblem[] {
  const paths = differences
    .filter((d) => d.values.filter((entry) => entry.cluster === cluster).length > 1)
    .map((d) => d.path)
  if (paths.length === 0) return []
  return [
    {
      code: 'NODE_CONFIG_DIFFERS',
      cluster,
      message: `the nodes of cluster ${cluster} (${members.map((n) => n.name).join(', ')}) differ in ${paths.join(', ')}`,
    },
  ]
}
