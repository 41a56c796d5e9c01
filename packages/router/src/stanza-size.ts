import type { Element } from 'ltx'

/** What a string's characters become in the output: names as they are, text and values escaped. */
enum Written {
  Name,
  Text,
  Attribute,
}

/** Strings of these only (printable ASCII that nothing escapes, tab, LF, CR) are one byte a character. */
const PLAIN_TEXT = /^[\t\n\r\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*$/
const PLAIN_ATTRIBUTE = /^[\t\n\r\x20\x21\x23-\x25\x28-\x3b\x3d\x3f-\x7e]*$/

/**
 * The UTF-8 length of `el.toString()`, counted without building the string: what a stanza
 * waiting in a link's queue counts against its byte limit. Serializing each queued stanza
 * only to measure it, and again when it is written, cost ~0.7 µs per stanza queued. An
 * explicit stack, so a deep tree built by the host cannot overflow ours.
 */
export function serializedBytes(root: Element): number {
  let total = 0
  const pending: Element[] = [root]
  for (let el = pending.pop(); el !== undefined; el = pending.pop()) {
    const name = bytesOf(el.name, Written.Name)
    total += 1 + name // <name
    for (const key in el.attrs) {
      const value: unknown = el.attrs[key]
      if (value == null) continue // ltx skips these
      const text = typeof value === 'string' ? value : (value as number).toString(10)
      total += 4 + bytesOf(key, Written.Name) + bytesOf(text, Written.Attribute) //  key="value"
    }
    if (el.children.length === 0) {
      total += 2 // />
      continue
    }
    total += 4 + name // > and </name>
    // Text children are written one after the other: a surrogate pair split between two
    // of them is one 4-byte character, not two halves of 3 bytes each.
    let endsInHighSurrogate = false
    for (const child of el.children as unknown[]) {
      if (child == null) continue // ltx skips these (and writes nothing between their neighbours)
      if (typeof child === 'object' && Array.isArray((child as Element).children)) {
        pending.push(child as Element)
        endsInHighSurrogate = false
        continue
      }
      const text = typeof child === 'string' ? child : (child as number).toString(10)
      if (text === '') continue
      total += bytesOf(text, Written.Text)
      const first = text.charCodeAt(0)
      if (endsInHighSurrogate && first >= 0xdc00 && first <= 0xdfff) total -= 2
      const last = text.charCodeAt(text.length - 1)
      endsInHighSurrogate = last >= 0xd800 && last <= 0xdbff
    }
  }
  return total
}

function bytesOf(value: string, written: Written): number {
  if (
    written === Written.Text
      ? PLAIN_TEXT.test(value)
      : written === Written.Attribute && PLAIN_ATTRIBUTE.test(value)
  ) {
    return value.length
  }
  let bytes = 0
  const length = value.length
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x80) {
      bytes++
      if (written === Written.Name) continue
      if (c === 0x26)
        bytes += 4 // &amp;
      else if (c === 0x3c || c === 0x3e)
        bytes += 3 // &lt; &gt;
      else if (written === Written.Attribute && (c === 0x22 || c === 0x27)) bytes += 5 // &quot; &apos;
    } else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < length) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3 // a lone surrogate is written as U+FFFD
    } else bytes += 3
  }
  return bytes
}
