import type { Element } from 'ltx'
import { NS } from '../src/namespaces.js'
import { XmlStreamParser } from '../src/xml/index.js'
import { STREAM_ERROR_CONDITIONS } from './conditions.js'

/** Our side of one XML stream, as the peer read it. */
export interface OutputStream {
  readonly elements: readonly Element[]
  readonly ended: boolean
  /** The parser's complaint about our own bytes, if any: always a bug. */
  readonly error: string | undefined
}

/** Every stream we open starts with these bytes (openingHeader in header.ts). */
const OUR_HEADER = "<?xml version='1.0'?><stream:stream "

/**
 * Reads what our side wrote to a peer, split at each stream (re)start, with
 * our own hardened parser: whatever we write must be restricted XML a strict
 * peer accepts.
 */
export function readOutput(bytes: Uint8Array): OutputStream[] {
  const text = Buffer.from(bytes).toString('latin1')
  const starts: number[] = []
  for (let at = text.indexOf(OUR_HEADER); at !== -1; at = text.indexOf(OUR_HEADER, at + 1)) starts.push(at)
  if (starts[0] !== 0 && bytes.length > 0) {
    return [{ elements: [], ended: false, error: 'output does not start with our stream header' }]
  }
  return starts.map((from, i) => parseOne(bytes.subarray(from, starts[i + 1] ?? bytes.length)))
}

function parseOne(bytes: Uint8Array): OutputStream {
  const elements: Element[] = []
  let ended = false
  let error: string | undefined
  const parser = new XmlStreamParser({
    onStreamStart: () => {},
    onElement: (el) => elements.push(el),
    onStreamEnd: () => {
      ended = true
    },
    onError: (err) => {
      error = err.message
    },
  })
  parser.write(bytes)
  return { elements, ended, error }
}

/** The condition of a `<stream:error/>`, or undefined for other elements. */
export function streamErrorCondition(el: Element): string | undefined {
  if (el.name !== 'error' || el.attrs.xmlns !== NS.stream) return undefined
  const condition = el
    .getChildElements()
    .find((child) => child.attrs.xmlns === NS.streams && child.name !== 'text')
  return condition?.name ?? ''
}

export function isRfcCondition(condition: string): boolean {
  return STREAM_ERROR_CONDITIONS.has(condition)
}
