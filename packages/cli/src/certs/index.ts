export { CertificatesError, type CertificatesErrorCode } from './certificates-error.js'
export {
  createDevelopmentCertificates,
  type DevelopmentCertificates,
  type DevelopmentCertificatesOptions,
} from './development-certificates.js'
export { KEY_TYPES, type KeyType } from './keys.js'
