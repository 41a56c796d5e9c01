import { Element } from 'ltx'

type Child = Element | string | number | undefined | null | false

/** Builds a stanza: `xml('message', { to }, xml('body', {}, 'hi'))`. */
export function xml(
  name: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: Child[]
): Element {
  const clean: Record<string, string> = {}
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) clean[key] = String(value)
  const el = new Element(name, clean)
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue
    if (child instanceof Element) el.cnode(child)
    else el.t(String(child))
  }
  return el
}
