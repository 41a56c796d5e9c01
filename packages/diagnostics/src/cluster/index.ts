export {
  type ClusterDiffReport,
  type ComparedFile,
  compareConfigFiles,
  type UnreadableFile,
} from './compare-files.js'
export { type CompareNodesOptions, compareNodes, isStatusUrl } from './compare-nodes.js'
export { isSecretPath, maskSecret, maskSecrets } from './mask-secrets.js'
export { maskedSettings, type NodeIdentity, nodeIdentity, nodeSettingsOf } from './masked-settings.js'
