/**
 * Serialisation guard. ltx writes control characters and lone surrogates as they are; a peer's
 * parser then ends our stream with <not-well-formed/> (RFC 6120 §4.9.3.13), taking every other
 * stanza on it down too. Checking first turns that into an error about one stanza, on our side.
 */
import type { Element } from 'ltx'
import { findInvalidXmlChar } from './chars.js'
import { escapeChecked } from './escape.js'

/** A string in an element cannot be written as XML 1.0 (§2.2 Char). */
export class InvalidXmlCharError extends Error {
  static override readonly name = 'InvalidXmlCharError'
  override readonly name = 'InvalidXmlCharError'

  constructor(
    /** The offending UTF-16 unit or code point. */
    readonly codePoint: number,
    /** Where it sits, e.g. `attribute 'to' of <message>` or `text of <body>`. */
    readonly location: string,
  ) {
    super(`U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} is not an XML character (${location})`)
  }
}

function check(value: string, location: () => string): void {
  const index = findInvalidXmlChar(value)
  if (index !== -1) throw new InvalidXmlCharError(value.codePointAt(index)!, location())
}

/** Throws {@link InvalidXmlCharError} if any name, attribute value or text below `el` is not XML. */
export function assertSerializable(el: Element): void {
  // An explicit stack: a deep tree built by the host must not overflow ours.
  const pending: Element[] = [el]
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const element = current
    check(element.name, () => 'element name')
    for (const name in element.attrs) {
      const value: unknown = element.attrs[name]
      if (value == null) continue // ltx skips these
      check(name, () => `attribute name of <${element.name}>`)
      check(
        typeof value === 'string' ? value : String(value),
        () => `attribute '${name}' of <${element.name}>`,
      )
    }
    for (const child of element.children) {
      if (typeof child === 'string') check(child, () => `text of <${element.name}>`)
      else if (child != null && typeof child === 'object') pending.push(child)
    }
  }
}

/**
 * `el.toString()`, character for character, but checked as it is written: a string XML cannot
 * carry throws {@link InvalidXmlCharError} (what {@link assertSerializable} would find). One walk
 * and one pass over each string, where checking then serializing took two walks and a regular
 * expression per value; an explicit stack, so a deep tree cannot overflow ours.
 */
export function serialize(root: Element): string {
  let out = openTag(root)
  if (root.children.length === 0) return `${out}/>`
  out += '>'
  const open: Element[] = [root]
  const next: number[] = [0]
  while (open.length > 0) {
    const depth = open.length - 1
    const element = open[depth]!
    const index = next[depth]!
    if (index === element.children.length) {
      out += `</${element.name}>`
      open.pop()
      next.pop()
      continue
    }
    next[depth] = index + 1
    const child: unknown = element.children[index]
    if (child == null) continue // ltx skips these
    if (typeof child === 'object' && Array.isArray((child as Element).children)) {
      const el = child as Element
      out += openTag(el)
      if (el.children.length === 0) {
        out += '/>'
      } else {
        out += '>'
        open.push(el)
        next.push(0)
      }
      continue
    }
    const text = typeof child === 'string' ? child : (child as number).toString(10)
    out += escaped(text, element, undefined)
  }
  return out
}

/** `<name attr="value"...` (without the closing `>` or `/>`). */
function openTag(element: Element): string {
  checkName(element.name, element, undefined)
  let tag = `<${element.name}`
  for (const name in element.attrs) {
    const value: unknown = element.attrs[name]
    if (value == null) continue // ltx skips these
    checkName(name, element, name)
    const text = typeof value === 'string' ? value : (value as number).toString(10)
    tag += ` ${name}="${escaped(text, element, name)}"`
  }
  return tag
}

// The error's location is put into words only when there is an error: a closure per string
// written would be garbage on every stanza.

/** An element name (`attribute` undefined) or an attribute name. */
function checkName(name: string, element: Element, attribute: string | undefined): void {
  const index = findInvalidXmlChar(name)
  if (index === -1) return
  const location = attribute === undefined ? 'element name' : `attribute name of <${element.name}>`
  throw new InvalidXmlCharError(name.codePointAt(index)!, location)
}

/** Text of `element` (`attribute` undefined) or the value of one of its attributes, escaped. */
function escaped(value: string, element: Element, attribute: string | undefined): string {
  const result = escapeChecked(value, attribute !== undefined)
  if (typeof result === 'string') return result
  const location =
    attribute === undefined ? `text of <${element.name}>` : `attribute '${attribute}' of <${element.name}>`
  throw new InvalidXmlCharError(value.codePointAt(-result - 1)!, location)
}
