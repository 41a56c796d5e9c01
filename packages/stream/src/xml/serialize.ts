/**
 * Serialisation guard. ltx writes control characters and lone surrogates as they are; a peer's
 * parser then ends our stream with <not-well-formed/> (RFC 6120 §4.9.3.13), taking every other
 * stanza on it down too. Checking first turns that into an error about one stanza, on our side.
 */
import type { Element } from 'ltx'
import { findInvalidXmlChar } from './chars.js'

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

/** `el.toString()`, after {@link assertSerializable}. */
export function serialize(el: Element): string {
  assertSerializable(el)
  return el.toString()
}
