import { Element } from 'ltx'

/**
 * What {@link xml} accepts as a child: elements, and strings or numbers as text. `undefined`, `null`
 * and `false` are skipped, so a child can be written conditionally (`cond && xml(...)`).
 */
export type XmlChild = Element | string | number | undefined | null | false

/**
 * An element by shape, not class: `@xmpp/xml` and other libraries bundle their own copy of ltx,
 * whose elements fail `instanceof Element` here and would otherwise be written as escaped text.
 */
function isElementShaped(value: unknown): value is Element {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { name?: unknown; attrs?: unknown; children?: unknown }
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.attrs === 'object' &&
    candidate.attrs !== null &&
    Array.isArray(candidate.children)
  )
}

/** Builds a stanza: `xml('message', { to }, xml('body', {}, 'hi'))`. */
export function xml(
  name: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: XmlChild[]
): Element {
  // Written straight into the element's own attrs: no [key, value] arrays, no object copied twice.
  const el = new Element(name)
  const clean = el.attrs as Record<string, string>
  for (const key in attrs) {
    if (!Object.hasOwn(attrs, key)) continue
    const value = attrs[key]
    if (value !== undefined) clean[key] = String(value)
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue
    if (isElementShaped(child)) el.cnode(child)
    else if (typeof child === 'object')
      throw new TypeError('xml(): a child must be an element, a string or a number')
    else el.t(String(child))
  }
  return el
}
