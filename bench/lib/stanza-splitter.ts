import { Element, type LtxElement, SaxParser } from './ltx.js'

/**
 * The baseline's receiving end: ltx's SAX parser turned into a stream of top-level elements,
 * the way @xmpp/xml does it (depth 0 is the stream root, each depth-1 element is a stanza).
 * No limits, no namespace checks, no hardening: the floor our dependencies set.
 */
export function createStanzaSplitter(onStanza: (stanza: LtxElement) => void): (data: Buffer) => void {
  const parser = new SaxParser()
  let depth = 0
  let current: LtxElement | null = null
  parser.on('startElement', (name, attrs) => {
    depth++
    if (depth === 1) return // <stream:stream>
    const el = new Element(name, attrs)
    current = current ? current.cnode(el) : el
  })
  parser.on('endElement', () => {
    depth--
    if (!current || depth === 0) return
    if (depth === 1) {
      const stanza = current
      current = null
      onStanza(stanza)
    } else {
      current = current.parent
    }
  })
  parser.on('text', (text) => {
    if (current) current.t(text)
  })
  parser.on('error', (error) => {
    throw error
  })
  return (data) => parser.write(data)
}
