import { mkdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { checkDomainName } from '@xmpp-federation/config'
import { type Authority, createAuthority, readAuthority } from './authority.js'
import { CertificatesError } from './certificates-error.js'
import { existingFiles, PUBLIC_MODE, SECRET_MODE, writeNewFile } from './files.js'
import { KEY_TYPES, type KeyType, privateKeyPem } from './keys.js'
import { issueLeaf, type Leaf } from './leaf.js'

const DAY = 86_400_000
/** A new CA outlives many rounds of domain certificates, so peers need to trust it only once. */
const CA_DAYS = 3650
const DEFAULT_DAYS = 365
const DEFAULT_CA_NAME = 'xmpp-federation development CA'

/**
 * What createDevelopmentCertificates makes, and where: the directory, the domains, the key type, the
 * validity and the CA's name.
 */
export interface DevelopmentCertificatesOptions {
  /** Where the files go; made when missing. Relative to the working directory. */
  readonly dir: string
  /** The XMPP domains, one certificate each (at least one). */
  readonly domains: readonly string[]
  /** Subject CN of a new CA; default "xmpp-federation development CA". Unused when `dir` has a CA. */
  readonly caName?: string
  /** Algorithm of every new key (the CA's when one is made, each domain's); default 'rsa'. */
  readonly keyType?: KeyType
  /** Days the domain certificates are valid (at most as long as the CA); default 365. */
  readonly days?: number
  /** Replace a domain's existing `.crt` and `.key`; default false: refuse, and write nothing. */
  readonly force?: boolean
  /** The time the certificates are made at; default now. */
  readonly now?: Date
}

/** Paths are absolute. */
export interface DevelopmentCertificates {
  readonly dir: string
  readonly ca: {
    /** `ca.crt`: what every peer lists in `tls.ca` to trust the domains' certificates. */
    readonly cert: string
    /** `ca.key` (mode 0600): signs more domains later; never deploy it. */
    readonly key: string
    /** False when `dir` already held the CA and it signed the new certificates. */
    readonly created: boolean
    readonly subject: string
    readonly notAfter: Date
  }
  readonly domains: ReadonlyArray<{
    readonly domain: string
    /** `<domain>.crt`, the certificate then the CA: the domain's `tls.cert`. */
    readonly cert: string
    /** `<domain>.key` (mode 0600): the domain's `tls.key`. */
    readonly key: string
    readonly notAfter: Date
  }>
}

/**
 * Makes a development CA (or reuses the one `dir` holds: `ca.crt` and `ca.key`) and one
 * server certificate per domain, DNS subjectAltName only, for serverAuth and clientAuth,
 * as `<domain>.crt` (with the CA) and `<domain>.key`. Checks everything before writing,
 * so a refusal (a {@link CertificatesError}) leaves the directory as it was.
 *
 * For development and tests: a real deployment uses certificates from a CA its peers
 * already trust.
 */
export async function createDevelopmentCertificates(
  options: DevelopmentCertificatesOptions,
): Promise<DevelopmentCertificates> {
  const domains = checkedDomains(options.domains)
  const keyType = checkedKeyType(options.keyType ?? 'rsa')
  const days = checkedDays(options.days ?? DEFAULT_DAYS)
  const now = options.now ?? new Date()
  const dir = resolve(options.dir)
  const caFiles = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') }
  const domainFiles = domains.map((domain) => ({
    domain,
    cert: join(dir, `${domain}.crt`),
    key: join(dir, `${domain}.key`),
  }))

  await mkdir(dir, { recursive: true })
  if (!options.force) {
    const inTheWay = await existingFiles(domainFiles.flatMap(({ cert, key }) => [cert, key]))
    if (inTheWay.length > 0) {
      throw new CertificatesError(
        'FILES_EXIST',
        `${inTheWay.join(', ')} already exist; force replaces them`,
        inTheWay,
      )
    }
  }
  const existing = await readExistingAuthority(caFiles, now)
  const authority =
    existing ??
    (await createAuthority({
      name: options.caName ?? DEFAULT_CA_NAME,
      keyType,
      now,
      notAfter: new Date(now.getTime() + Math.max(CA_DAYS, days) * DAY),
    }))
  const leaves: Leaf[] = []
  for (const { domain } of domainFiles) {
    leaves.push(
      await issueLeaf(authority, { domain, keyType, now, notAfter: new Date(now.getTime() + days * DAY) }),
    )
  }

  if (!existing) {
    await writeNewFile(caFiles.cert, authority.certPem, PUBLIC_MODE)
    await writeNewFile(caFiles.key, await privateKeyPem(authority.key), SECRET_MODE)
  }
  for (const [index, files] of domainFiles.entries()) {
    await writeNewFile(files.cert, leaves[index]!.chainPem, PUBLIC_MODE)
    await writeNewFile(files.key, leaves[index]!.keyPem, SECRET_MODE)
  }
  return {
    dir,
    ca: {
      ...caFiles,
      created: !existing,
      subject: authority.cert.subject,
      notAfter: authority.cert.notAfter,
    },
    domains: domainFiles.map((files, index) => ({ ...files, notAfter: leaves[index]!.notAfter })),
  }
}

async function readExistingAuthority(
  files: { cert: string; key: string },
  now: Date,
): Promise<Authority | undefined> {
  const present = await existingFiles([files.cert, files.key])
  if (present.length === 0) return undefined
  if (present.length === 1) {
    const missing = present[0] === files.cert ? files.key : files.cert
    throw new CertificatesError('UNUSABLE_CA', `${missing} is missing next to ${present[0]}: a CA needs both`)
  }
  try {
    return await readAuthority(await readFile(files.cert, 'utf8'), await readFile(files.key, 'utf8'), now)
  } catch (error) {
    throw new CertificatesError(
      'UNUSABLE_CA',
      `cannot sign with the CA in ${resolve(files.cert, '..')}: ${(error as Error).message}`,
    )
  }
}

function checkedDomains(input: readonly string[]): string[] {
  if (input.length === 0) throw new CertificatesError('INVALID_OPTION', 'give at least one domain')
  const domains = input.map((domain) => {
    const check = checkDomainName(domain)
    if (!check.ok)
      throw new CertificatesError('INVALID_OPTION', `the domain ${JSON.stringify(domain)} ${check.problem}`)
    // Its files would be the CA's.
    if (check.value === 'ca')
      throw new CertificatesError('INVALID_OPTION', 'the domain "ca" would overwrite the CA files')
    return check.value
  })
  return [...new Set(domains)]
}

function checkedKeyType(keyType: string): KeyType {
  if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
    throw new CertificatesError(
      'INVALID_OPTION',
      `the key type must be ${KEY_TYPES.join(' or ')}, not ${JSON.stringify(keyType)}`,
    )
  }
  return keyType as KeyType
}

function checkedDays(days: number): number {
  if (!Number.isInteger(days) || days < 1) {
    throw new CertificatesError(
      'INVALID_OPTION',
      `the validity must be a whole number of days, 1 or more, not ${days}`,
    )
  }
  return days
}
