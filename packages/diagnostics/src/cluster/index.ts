export {
  type ClusterDiffReport,
  type ComparedFile,
  compareConfigFiles,
  type UnreadableFile,
} from './compare-files.js'
export { isSecretPath, maskSecret, maskSecrets } from './mask-secrets.js'
