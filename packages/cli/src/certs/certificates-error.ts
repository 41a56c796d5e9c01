/** Why createDevelopmentCertificates made nothing. */
export type CertificatesErrorCode =
  /** An option is not usable: no domain, a malformed domain, a bad key type or day count. */
  | 'INVALID_OPTION'
  /** A domain's files exist and `force` was not given. */
  | 'FILES_EXIST'
  /** The directory holds a CA that cannot sign: half of it, not a CA, a key that does not fit, expired. */
  | 'UNUSABLE_CA'

/** createDevelopmentCertificates refused; nothing was written. */
export class CertificatesError extends Error {
  override readonly name = 'CertificatesError'

  constructor(
    readonly code: CertificatesErrorCode,
    message: string,
    /** For FILES_EXIST: the files that are in the way. */
    readonly files: readonly string[] = [],
  ) {
    super(message)
  }
}
