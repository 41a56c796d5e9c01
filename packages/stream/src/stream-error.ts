import { Element } from 'ltx'
import { StreamError, type StreamErrorCondition } from './errors.js'
import { NS } from './namespaces.js'

/** `<stream:error/>` for a condition (RFC 6120 §4.9.2). */
export function streamErrorElement(error: StreamError): Element {
  const el = new Element('stream:error')
  el.c(error.condition, { xmlns: NS.streams })
  if (error.text) el.c('text', { xmlns: NS.streams, 'xml:lang': 'en' }).t(xmlText(error.text))
  return el
}

/** Error texts quote what the peer sent (a bad name): characters XML cannot carry become U+FFFD. */
function xmlText(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
}

/** Reads a peer's `<stream:error/>` into a StreamError with origin `remote`. */
export function parseStreamError(el: Element): StreamError {
  let condition: StreamErrorCondition = 'undefined-condition'
  let text: string | undefined
  for (const child of el.getChildElements()) {
    if (child.attrs.xmlns !== NS.streams) continue
    if (child.name === 'text') text = child.getText()
    else {
      condition = child.name as StreamErrorCondition
      // see-other-host carries the proposed host as its content (RFC 6120 §4.9.3.19).
      text ??= child.getText() || undefined
    }
  }
  return new StreamError(condition, text, { origin: 'remote' })
}

export function isStreamError(el: Element): boolean {
  return el.name === 'error' && el.attrs.xmlns === NS.stream
}
