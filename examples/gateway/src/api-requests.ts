import { PRESENCE_ACTIONS, type PresenceAction, SHOW_VALUES, type Show } from '@xmpp-federation/presence'
import { badRequest } from './http-io.js'
import { bareJid, formatJid, type Jid, parseJid } from './jid.js'

// The bodies the API accepts, checked field by field; errors name the field.

export const MESSAGE_TYPES = ['chat', 'normal', 'headline'] as const
export type MessageType = (typeof MESSAGE_TYPES)[number]

const MAX_BODY_CHARS = 64 * 1024
const MAX_STATUS_CHARS = 1024

export interface MessageRequest {
  readonly from: string
  readonly to: string
  readonly body: string
  readonly type: MessageType
}

export interface PresenceRequest {
  /** The local user, bare. */
  readonly from: string
  /** The contact, bare; absent for availability sent to every subscriber. */
  readonly to: string | undefined
  readonly action: PresenceAction
  readonly show?: Show
  readonly status?: string
}

export interface PingRequest {
  readonly from: string
  readonly to: string
}

export function parseMessageRequest(
  body: Record<string, unknown>,
  localDomains: readonly string[],
): MessageRequest {
  onlyKnownFields(body, ['from', 'to', 'body', 'type'])
  const from = localUser(body, 'from', localDomains)
  const to = address(body, 'to')
  const text = field(body, 'body', 'a string', (v) => typeof v === 'string' && v.length > 0)
  if ((text as string).length > MAX_BODY_CHARS)
    throw badRequest(`body: longer than ${MAX_BODY_CHARS} characters`)
  const type = optionalField(body, 'type', `one of ${MESSAGE_TYPES.join(', ')}`, (v) =>
    MESSAGE_TYPES.includes(v as MessageType),
  )
  return {
    from: formatJid(from),
    to: formatJid(to),
    body: text as string,
    type: (type as MessageType) ?? 'chat',
  }
}

export function parsePresenceRequest(
  body: Record<string, unknown>,
  localDomains: readonly string[],
): PresenceRequest {
  onlyKnownFields(body, ['from', 'to', 'action', 'show', 'status'])
  const from = bareJid(localUser(body, 'from', localDomains))
  const action = field(body, 'action', `one of ${PRESENCE_ACTIONS.join(', ')}`, (v) =>
    PRESENCE_ACTIONS.includes(v as PresenceAction),
  ) as PresenceAction
  const broadcast = action === 'available' || action === 'unavailable'
  const to = broadcast && body.to === undefined ? undefined : bareJid(address(body, 'to'))
  if (to === from) throw badRequest('to: a user is not their own contact')
  const show = optionalField(body, 'show', `one of ${SHOW_VALUES.join(', ')}`, (v) =>
    SHOW_VALUES.includes(v as Show),
  )
  if (show !== undefined && action !== 'available') throw badRequest('show: only goes with action available')
  const status = optionalField(body, 'status', 'a string', (v) => typeof v === 'string')
  if (typeof status === 'string' && status.length > MAX_STATUS_CHARS) {
    throw badRequest(`status: longer than ${MAX_STATUS_CHARS} characters`)
  }
  return { from, to, action, show: show as Show | undefined, status: status as string | undefined }
}

export function parsePingRequest(
  body: Record<string, unknown>,
  localDomains: readonly string[],
): PingRequest {
  onlyKnownFields(body, ['from', 'to'])
  const from = domainOnly(body, 'from')
  if (!localDomains.includes(from)) throw badRequest(`from: ${from} is not a domain of this gateway`)
  const to = domainOnly(body, 'to')
  if (localDomains.includes(to)) throw badRequest(`to: ${to} is served by this gateway; ping a remote domain`)
  return { from, to }
}

/** A user of one of our domains, as `from` of what the gateway sends. */
export function localUser(body: Record<string, unknown>, name: string, localDomains: readonly string[]): Jid {
  const jid = address(body, name)
  if (!localDomains.includes(jid.domain)) {
    throw badRequest(`${name}: ${jid.domain} is not a domain of this gateway (${localDomains.join(', ')})`)
  }
  if (jid.local === undefined) throw badRequest(`${name}: needs a user, like bot@${jid.domain}`)
  return jid
}

function address(body: Record<string, unknown>, name: string): Jid {
  const value = field(body, name, 'an XMPP address like user@example.org', (v) => typeof v === 'string')
  const jid = parseJid(value as string)
  if (!jid) throw badRequest(`${name}: ${JSON.stringify(value)} is not a valid XMPP address`)
  return jid
}

function domainOnly(body: Record<string, unknown>, name: string): string {
  const jid = address(body, name)
  if (jid.local !== undefined || jid.resource !== undefined) {
    throw badRequest(`${name}: must be a domain such as example.org, not a user address`)
  }
  return jid.domain
}

// A misspelt field would otherwise be dropped silently and its default used.
function onlyKnownFields(body: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key))
  if (unknown.length > 0)
    throw badRequest(`${unknown.join(', ')}: unknown field (expected ${known.join(', ')})`)
}

function field(
  body: Record<string, unknown>,
  name: string,
  expected: string,
  ok: (v: unknown) => boolean,
): unknown {
  const value = body[name]
  if (value === undefined) throw badRequest(`${name}: is required (${expected})`)
  if (!ok(value)) throw badRequest(`${name}: must be ${expected}`)
  return value
}

function optionalField(
  body: Record<string, unknown>,
  name: string,
  expected: string,
  ok: (v: unknown) => boolean,
): unknown {
  return body[name] === undefined ? undefined : field(body, name, expected, ok)
}
