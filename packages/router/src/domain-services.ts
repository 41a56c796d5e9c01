import type { Element } from 'ltx'
import { answerDomainIq, discoInfoResult, NS_DISCO_INFO, type ServiceIdentity } from './local-service.js'

/** Answers an iq request addressed to a local domain itself: a `result` or `error` iq for the sender. */
export type IqHandler = (
  iq: Element,
  info: { readonly localDomain: string; readonly remoteDomain: string },
) => Element | Promise<Element>

/** An IQ handler a host adds for one payload namespace, answered for every local domain. */
export interface IqHandlerRegistration {
  /** The payload namespace it answers, e.g. `urn:xmpp:time`. */
  readonly namespace: string
  /** `get`, `set` or both (default both). */
  readonly type?: 'get' | 'set'
  /** The local domain it serves; default every local domain. */
  readonly domain?: string
  readonly handler: IqHandler
}

/**
 * What each local domain answers as a server entity (RFC 6120 §10.3.3, iq to the bare
 * domain): the built-in XEP-0199 ping, XEP-0030 disco#info and XEP-0092 version, the
 * host's own iq handlers, and the features its disco#info lists. A handler for a
 * namespace replaces a built-in one for it.
 */
export class DomainServices {
  private readonly handlers: IqHandlerRegistration[] = []
  private readonly features = new Map<string, Set<string>>()

  constructor(private readonly identity: ServiceIdentity) {}

  /** Adds a handler; the returned function removes it. */
  addIqHandler(registration: IqHandlerRegistration): () => void {
    this.handlers.push(registration)
    return () => {
      const index = this.handlers.indexOf(registration)
      if (index >= 0) this.handlers.splice(index, 1)
    }
  }

  /** Lists `feature` in the disco#info of `domain` (default every local domain); the returned function removes it. */
  addFeature(feature: string, domain = '*'): () => void {
    let set = this.features.get(domain)
    if (!set) {
      set = new Set()
      this.features.set(domain, set)
    }
    set.add(feature)
    return () => set.delete(feature)
  }

  /** The answer to an iq request for `localDomain`, or undefined when nothing here answers it. */
  answer(
    iq: Element,
    info: { localDomain: string; remoteDomain: string },
  ): Element | Promise<Element> | undefined {
    const payload = iq.getChildElements()[0]
    const namespace = payload?.attrs.xmlns
    const handler = this.handlers.find(
      (h) =>
        h.namespace === namespace &&
        (h.type === undefined || h.type === iq.attrs.type) &&
        (h.domain === undefined || h.domain === info.localDomain),
    )
    if (handler) return handler.handler(iq, info)
    if (namespace === NS_DISCO_INFO && iq.attrs.type === 'get' && !payload?.attrs.node) {
      return discoInfoResult(iq, this.identity, this.featuresOf(info.localDomain))
    }
    return answerDomainIq(iq, this.identity)
  }

  /** Built-in features, the namespaces of the handlers for the domain, and the ones added. */
  private featuresOf(domain: string): string[] {
    const handled = this.handlers
      .filter((h) => h.domain === undefined || h.domain === domain)
      .map((h) => h.namespace)
    const added = [...(this.features.get('*') ?? []), ...(this.features.get(domain) ?? [])]
    return [...new Set([...handled, ...added])]
  }
}
