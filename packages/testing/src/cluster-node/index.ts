export type {
  BurstResult,
  BurstSpec,
  ClusterNodeEvent,
  ClusterNodeSpec,
  SendOutcome,
} from './protocol.js'
export {
  type ClusterNode,
  ClusterNodeStartError,
  MAX_KEPT_EVENTS,
  SOURCES_TSCONFIG,
  type StartClusterNodeOptions,
  startClusterNode,
} from './start-node.js'
