/** The members of the router's public API that the runner uses, typed structurally. */
import type { Element } from 'ltx'

export interface FederationLike {
  start(): Promise<void>
  stop(): Promise<void>
  send(stanza: Element): Promise<void>
  request(iq: Element, timeoutMs?: number): Promise<Element>
  status(): unknown
  on(event: 'stanza', listener: (stanza: Element, info: Record<string, unknown>) => void): unknown
  on(event: string, listener: (event: unknown) => void): unknown
}

export interface RouterModule {
  createFederation(options: Record<string, unknown>): FederationLike
  createResolver(options: { routes: Record<string, { host: string; port: number }[]> }): unknown
}

/**
 * A JSON-safe copy of an event or status: stanzas become their XML text, errors their name,
 * message and condition, so that they survive the IPC channel.
 */
export function toPlain(value: unknown): Record<string, unknown> {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Error) {
      return { name: item.name, message: item.message, condition: (item as { condition?: string }).condition }
    }
    if (isElement(item)) return item.toString()
    return item
  })
  return (text === undefined ? {} : JSON.parse(text)) as Record<string, unknown>
}

function isElement(value: unknown): value is Element {
  return (
    typeof value === 'object' &&
    value !== null &&
    'attrs' in value &&
    'children' in value &&
    typeof (value as { toString: unknown }).toString === 'function'
  )
}
