export {
  type CheckConfigOptions,
  type ConfigCheckReport,
  checkConfig,
  checkConfigFile,
  DEFAULT_CONFIG_EXPIRY_DAYS,
} from './check-config.js'
export { CONFIG_FINDING_CODES, type ConfigFinding, type ConfigFindingCode, type Severity } from './finding.js'
