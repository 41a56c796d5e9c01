import { normalizeDomain } from '@xmpp-federation/stream'

/** An XMPP address split into its parts, domain normalised (lower-case A-labels). */
export interface Jid {
  readonly local: string | undefined
  readonly domain: string
  readonly resource: string | undefined
}

// RFC 7622 §3.3.1: characters a localpart may never hold.
const FORBIDDEN_IN_LOCALPART = /[\s\p{Cc}"&'/:<>@]/u
const MAX_PART_BYTES = 1023

/**
 * Parses `local@domain/resource` (localpart and resource optional), or
 * returns undefined. Localparts are compared case-insensitively, so they are
 * lower-cased here: one user never gets two presence entries.
 */
export function parseJid(text: string): Jid | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined
  const slash = text.indexOf('/')
  const bare = slash === -1 ? text : text.slice(0, slash)
  const resource = slash === -1 ? undefined : text.slice(slash + 1)
  const at = bare.indexOf('@')
  const local = at === -1 ? undefined : bare.slice(0, at).toLowerCase()
  const domain = normalizeDomain(at === -1 ? bare : bare.slice(at + 1))
  if (domain === undefined) return undefined
  if (local !== undefined && !validPart(local, FORBIDDEN_IN_LOCALPART)) return undefined
  if (resource !== undefined && !validPart(resource, /\p{Cc}/u)) return undefined
  return { local, domain, resource }
}

function validPart(part: string, forbidden: RegExp): boolean {
  return part.length > 0 && Buffer.byteLength(part) <= MAX_PART_BYTES && !forbidden.test(part)
}

export function bareJid(jid: Jid): string {
  return jid.local === undefined ? jid.domain : `${jid.local}@${jid.domain}`
}

export function formatJid(jid: Jid): string {
  return jid.resource === undefined ? bareJid(jid) : `${bareJid(jid)}/${jid.resource}`
}

/** The bare form of an address as it appears in a stanza, or undefined when it is no JID. */
export function bareOf(address: string | undefined): string | undefined {
  const jid = address === undefined ? undefined : parseJid(address)
  return jid && bareJid(jid)
}
