import type { XmppUser } from '@xmpp-federation/testing'
import type { Element } from 'ltx'

/** One message as the Prosody user received it, with the peer-side stamp of mod_xf_origin_stamp. */
export interface Delivery {
  id: string
  /** Source address of the s2s stream it came over: which node wrote it. */
  ip: string
  /** The stream's id on Prosody: a new one per s2s connection. */
  stream: string
  /** Prosody's clock when it arrived, in ms. */
  atMs: number
}

const ORIGIN_NS = 'urn:xmpp-federation:test:origin'

/** Collects every stamped message a user receives, until stop(). */
export function collectDeliveries(user: XmppUser) {
  const all: Delivery[] = []
  let running = true
  const isStamped = (stanza: Element) =>
    stanza.name === 'message' && stanza.getChild('xf-origin', ORIGIN_NS) !== undefined
  const loop = (async () => {
    while (running) {
      let stanza: Element
      try {
        stanza = await user.nextStanza(isStamped, 1_000)
      } catch (error) {
        if (/closed|offline|disconnect/.test((error as Error).message)) return
        continue // a quiet second
      }
      const origin = stanza.getChild('xf-origin', ORIGIN_NS)!
      all.push({
        id: stanza.attrs.id ?? stanza.getChildText('body') ?? '',
        ip: origin.attrs.ip ?? '?',
        stream: origin.attrs.stream ?? '?',
        atMs: Number(origin.attrs.t) * 1000,
      })
    }
  })()
  return {
    all,
    /** Deliveries whose id starts with prefix. */
    of: (prefix: string) => all.filter((d) => d.id.startsWith(prefix)),
    /** Resolves once every id is in (or rejects after timeoutMs with what is missing). */
    async waitForIds(ids: readonly string[], timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const seen = new Set(all.map((d) => d.id))
        const missing = ids.filter((id) => !seen.has(id))
        if (missing.length === 0) return
        if (Date.now() > deadline)
          throw new Error(
            `${missing.length} of ${ids.length} never arrived, e.g. ${missing.slice(0, 5).join(', ')}`,
          )
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    async stop() {
      running = false
      await loop
    },
  }
}

export type DeliveryLog = ReturnType<typeof collectDeliveries>

/** What happened to every stanza a test sent: the at-least-once ledger. */
export interface Ledger {
  sent: number
  /** Distinct ids that arrived. */
  delivered: number
  /** Sends that settled bounced and never arrived. */
  bounced: number
  /** Sends that settled bounced but arrived anyway (reported, not hidden). */
  bouncedButDelivered: number
  /** Arrivals beyond the first of an id. */
  duplicates: number
  /** Neither arrived nor bounced: lost. Must be 0. */
  unaccounted: number
}

export function ledgerOf(
  sent: readonly string[],
  bounced: ReadonlySet<string>,
  deliveries: readonly Delivery[],
): Ledger {
  const counts = new Map<string, number>()
  for (const d of deliveries) if (sent.includes(d.id)) counts.set(d.id, (counts.get(d.id) ?? 0) + 1)
  let duplicates = 0
  for (const n of counts.values()) duplicates += n - 1
  const delivered = counts.size
  const bouncedOnly = sent.filter((id) => bounced.has(id) && !counts.has(id)).length
  return {
    sent: sent.length,
    delivered,
    bounced: bouncedOnly,
    bouncedButDelivered: sent.filter((id) => bounced.has(id) && counts.has(id)).length,
    duplicates,
    unaccounted: sent.filter((id) => !bounced.has(id) && !counts.has(id)).length,
  }
}

/**
 * The writers in the order Prosody saw them: consecutive deliveries from one source address
 * collapse into one run. Two nodes writing for one pair at once show as runs that alternate.
 */
export function writerRuns(
  deliveries: readonly Delivery[],
): { ip: string; from: number; to: number; count: number }[] {
  const runs: { ip: string; from: number; to: number; count: number }[] = []
  for (const d of [...deliveries].sort((a, b) => a.atMs - b.atMs)) {
    const last = runs.at(-1)
    if (last && last.ip === d.ip) {
      last.to = d.atMs
      last.count++
    } else runs.push({ ip: d.ip, from: d.atMs, to: d.atMs, count: 1 })
  }
  return runs
}
