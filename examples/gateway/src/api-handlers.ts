import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FederationConfig } from '@xmpp-federation/config'
import { type OutgoingPresence, type PresenceBook, PresenceLimitError } from '@xmpp-federation/presence'
import type { Federation, ReconfigureReport } from '@xmpp-federation/router'
import { localUser, parseMessageRequest, parsePingRequest, parsePresenceRequest } from './api-requests.js'
import { deliveryFailure } from './delivery-status.js'
import { streamInbox } from './event-stream.js'
import { ApiError, badRequest, readJsonBody, sendJson } from './http-io.js'
import type { Inbox } from './inbox.js'
import { bareJid, parseJid } from './jid.js'
import type { GatewayLog } from './log.js'
import { newStanzaId, type Sender } from './sender.js'

/** What the HTTP API works with: the gateway's parts. */
export interface ApiContext {
  readonly federation: Federation
  /** What the federation runs with; the status shows its fingerprint. */
  readonly config: FederationConfig
  readonly inbox: Inbox
  readonly presence: PresenceBook
  readonly sender: Sender
  readonly log: GatewayLog
  /** Ends every open event stream (on shutdown). */
  readonly eventStreams: Set<() => void>
  /** `POST /api/reload`, behind a bearer token; absent when the gateway has no token. */
  readonly adminRoutes?: { token: string; reload: () => Promise<ReconfigureReport> }
}

export type Handler = (
  context: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<void>

export const health: Handler = async ({ federation }, _req, res) => {
  const state = federation.status().state
  sendJson(res, state === 'running' ? 200 : 503, { status: state === 'running' ? 'ok' : state })
}

/** 202 once the message is written to an authenticated stream to the recipient's server. */
export const postMessage: Handler = async ({ federation, sender }, req, res) => {
  const request = parseMessageRequest(await readJsonBody(req), federation.localDomains)
  const id = newStanzaId()
  try {
    await sender.message({ id, ...request })
  } catch (error) {
    throw deliveryFailure(error)
  }
  sendJson(res, 202, { id })
}

export const postPresence: Handler = async ({ federation, presence, sender }, req, res) => {
  const request = parsePresenceRequest(await readJsonBody(req), federation.localDomains)
  let stanzas: OutgoingPresence[]
  try {
    stanzas = await presence.act(request.from, request.action, {
      contact: request.to,
      show: request.show,
      status: request.status,
    })
  } catch (error) {
    if (error instanceof PresenceLimitError) throw new ApiError(503, 'resource-constraint', error.message)
    throw error
  }
  const outcomes = await Promise.allSettled(stanzas.map((stanza) => sender.presence(stanza)))
  const sent: { to: string; type: string }[] = []
  const failed: { to: string; type: string; condition: string; message: string }[] = []
  outcomes.forEach((outcome, i) => {
    const { to, type = 'available' } = stanzas[i]!
    if (outcome.status === 'fulfilled') sent.push({ to, type })
    else {
      const failure = deliveryFailure(outcome.reason)
      failed.push({ to, type, condition: failure.condition, message: failure.message })
    }
  })
  // Towards one contact, a failure is the answer; a broadcast reports its failures beside the successes.
  const firstFailure = outcomes.find((outcome) => outcome.status === 'rejected')
  if (request.to !== undefined && firstFailure) throw deliveryFailure(firstFailure.reason)
  sendJson(res, 202, { sent, failed })
}

export const roster: Handler = async ({ federation, presence }, _req, res, url) => {
  const user = localUser({ user: url.searchParams.get('user') ?? undefined }, 'user', federation.localDomains)
  sendJson(res, 200, await presence.roster(bareJid(user)))
}

export const ping: Handler = async ({ federation, log }, req, res) => {
  const { from, to } = parsePingRequest(await readJsonBody(req), federation.localDomains)
  let rttMs: number
  try {
    rttMs = Math.round((await federation.ping(from, to)) * 10) / 10
  } catch (error) {
    throw deliveryFailure(error)
  }
  log.event('iq', `ping ${from} → ${to}: ${rttMs} ms`, { from, to, rttMs })
  sendJson(res, 200, { from, to, rttMs })
}

export const listInbox: Handler = async ({ inbox }, _req, res, url) => {
  sendJson(res, 200, { items: inbox.list(inboxQuery(url, inbox)) })
}

export const events: Handler = async (context, req, res, url) => {
  const { since, user } = inboxQuery(url, context.inbox)
  const end = streamInbox(req, res, context.inbox, { since, user })
  context.eventStreams.add(end)
  req.once('close', () => context.eventStreams.delete(end))
}

function inboxQuery(url: URL, inbox: Inbox): { since?: number; user?: string; limit?: number } {
  const since = integerParam(url, 'since', 0, Number.MAX_SAFE_INTEGER)
  const limit = integerParam(url, 'limit', 1, inbox.capacity)
  const userText = url.searchParams.get('user')
  const jid = userText === null ? undefined : parseJid(userText)
  if (userText !== null && !jid)
    throw badRequest(`user: ${JSON.stringify(userText)} is not a valid XMPP address`)
  return { since, user: jid && bareJid(jid), limit }
}

function integerParam(url: URL, name: string, min: number, max: number): number | undefined {
  const text = url.searchParams.get(name)
  if (text === null) return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw badRequest(`${name}: must be an integer from ${min} to ${max}`)
  }
  return value
}
