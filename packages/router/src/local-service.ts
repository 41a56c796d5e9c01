import { Element } from 'ltx'

const NS_PING = 'urn:xmpp:ping'
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
const NS_VERSION = 'jabber:iq:version'
const BUILT_IN_FEATURES = [NS_DISCO_INFO, NS_PING, NS_VERSION]

export interface ServiceIdentity {
  readonly name: string
  readonly version: string
}

/**
 * Answers the iq requests addressed to a local domain itself: XEP-0199 ping,
 * XEP-0030 disco#info and XEP-0092 software version. Returns the result, or
 * undefined when the request is not one of these (the caller then answers
 * service-unavailable).
 */
export function answerDomainIq(iq: Element, identity: ServiceIdentity): Element | undefined {
  if (iq.attrs.type !== 'get') return undefined
  const payload = iq.getChildElements()[0]
  if (!payload) return undefined
  const result = new Element('iq', { type: 'result', id: iq.attrs.id, from: iq.attrs.to, to: iq.attrs.from })
  switch (payload.attrs.xmlns) {
    case NS_PING:
      return payload.name === 'ping' ? result : undefined
    case NS_DISCO_INFO:
      return payload.attrs.node ? undefined : discoInfoResult(iq, identity, [])
    case NS_VERSION: {
      const query = result.c('query', { xmlns: NS_VERSION })
      query.c('name').t(identity.name)
      query.c('version').t(identity.version)
      return result
    }
    default:
      return undefined
  }
}

export function pingRequest(from: string, to: string, id: string): Element {
  return new Element('iq', { type: 'get', from, to, id }).c('ping', { xmlns: NS_PING }).root()
}

/** XEP-0030 disco#info of the domain: its identity, the built-in features and `extra` ones. */
export function discoInfoResult(iq: Element, identity: ServiceIdentity, extra: readonly string[]): Element {
  const result = new Element('iq', { type: 'result', id: iq.attrs.id, from: iq.attrs.to, to: iq.attrs.from })
  const query = result.c('query', { xmlns: NS_DISCO_INFO })
  query.c('identity', { category: 'server', type: 'im', name: identity.name })
  for (const feature of new Set([...BUILT_IN_FEATURES, ...extra])) query.c('feature', { var: feature })
  return result
}
