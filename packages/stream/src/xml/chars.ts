/**
 * Character classes of XML 1.0 (Fifth Edition): Char (§2.2) and the Name productions (§2.3),
 * plus the XML Namespaces 1.0 QName rule (§3) the parser applies to element and attribute names.
 */

/**
 * XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
 */
export function isXmlChar(codePoint: number): boolean {
  if (codePoint >= 0x20) {
    return (
      codePoint <= 0xd7ff ||
      (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
      (codePoint >= 0x10000 && codePoint <= 0x10ffff)
    )
  }
  return codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd
}

/**
 * Index of the first UTF-16 unit of `text` that does not start a valid XML Char
 * (a forbidden control character, U+FFFE/U+FFFF, or a lone surrogate), or -1.
 */
export function findInvalidXmlChar(text: string): number {
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    // Quick path: printable ASCII and the rest of the BMP below the surrogates.
    if (c >= 0x20 && c < 0xd800) continue
    if (c < 0x20) {
      if (c === 0x9 || c === 0xa || c === 0xd) continue
      return i
    }
    if (c <= 0xdbff) {
      // A high surrogate is only valid when a low surrogate follows.
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
      return i
    }
    if (c <= 0xdfff || c >= 0xfffe) return i
  }
  return -1
}

const NAME_START = 1
const NAME_CHAR = 2

/** ASCII part of the Name productions as bit flags, so the common case is one table look-up. */
const ASCII_NAME = (() => {
  const table = new Uint8Array(128)
  const mark = (from: number, to: number, flags: number) => {
    for (let c = from; c <= to; c++) table[c] = flags
  }
  mark(0x41, 0x5a, NAME_START | NAME_CHAR) // A-Z
  mark(0x61, 0x7a, NAME_START | NAME_CHAR) // a-z
  mark(0x30, 0x39, NAME_CHAR) // 0-9
  table[0x5f] = NAME_START | NAME_CHAR // _
  table[0x3a] = NAME_START | NAME_CHAR // :
  table[0x2d] = NAME_CHAR // -
  table[0x2e] = NAME_CHAR // .
  return table
})()

/** XML 1.0 §2.3 NameStartChar. */
export function isNameStartChar(codePoint: number): boolean {
  if (codePoint < 0x80) return (ASCII_NAME[codePoint]! & NAME_START) !== 0
  return (
    (codePoint >= 0xc0 && codePoint <= 0xd6) ||
    (codePoint >= 0xd8 && codePoint <= 0xf6) ||
    (codePoint >= 0xf8 && codePoint <= 0x2ff) ||
    (codePoint >= 0x370 && codePoint <= 0x37d) ||
    (codePoint >= 0x37f && codePoint <= 0x1fff) ||
    (codePoint >= 0x200c && codePoint <= 0x200d) ||
    (codePoint >= 0x2070 && codePoint <= 0x218f) ||
    (codePoint >= 0x2c00 && codePoint <= 0x2fef) ||
    (codePoint >= 0x3001 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xf900 && codePoint <= 0xfdcf) ||
    (codePoint >= 0xfdf0 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0xeffff)
  )
}

/** XML 1.0 §2.3 NameChar. */
export function isNameChar(codePoint: number): boolean {
  if (codePoint < 0x80) return (ASCII_NAME[codePoint]! & NAME_CHAR) !== 0
  return (
    isNameStartChar(codePoint) ||
    codePoint === 0xb7 ||
    (codePoint >= 0x300 && codePoint <= 0x36f) ||
    (codePoint >= 0x203f && codePoint <= 0x2040)
  )
}

/** Returned by {@link qnameColon} for a string that is not a QName. */
export const NOT_A_QNAME = -2

/**
 * Checks `name` against XML Namespaces 1.0 §3 QName (NCName, or NCName ':' NCName) and returns
 * the colon's index, -1 when there is no prefix, or {@link NOT_A_QNAME}.
 */
export function qnameColon(name: string): number {
  const length = name.length
  if (length === 0) return NOT_A_QNAME
  let colon = -1
  let atStart = true // at the start of the prefix or of the local part
  for (let i = 0; i < length; i++) {
    let c = name.charCodeAt(i)
    if (c === 0x3a) {
      if (colon !== -1 || atStart) return NOT_A_QNAME
      colon = i
      atStart = true
      continue
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < length) {
      c = name.codePointAt(i)!
      i++
    }
    if (atStart ? !isNameStartChar(c) : !isNameChar(c)) return NOT_A_QNAME
    atStart = false
  }
  return atStart ? NOT_A_QNAME : colon
}
