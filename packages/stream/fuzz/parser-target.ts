import { XmlStreamParser, type XmlStreamParserOptions } from '../src/xml/index.js'
import { STREAM_ERROR_CONDITIONS } from './conditions.js'

/** What the parser reported, in order, in a form two runs can be compared by. */
export type ParserEvent = string

export interface ParserOutcome {
  readonly events: readonly ParserEvent[]
  /** The error condition it ended with, if any. */
  readonly condition: string | undefined
  /** Longest synchronous write, ms. */
  readonly slowestWriteMs: number
  /** Broken invariants; empty when the input was handled correctly. */
  readonly problems: readonly string[]
}

/** No default namespace: an element read back keeps exactly the namespaces it carries itself. */
const HEADER = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"

function feed(chunks: readonly Uint8Array[], options: XmlStreamParserOptions = {}) {
  const events: ParserEvent[] = []
  const elements: string[] = []
  const problems: string[] = []
  let condition: string | undefined
  const parser = new XmlStreamParser(
    {
      onStreamStart: (header) => events.push(`start ${header.name} ${JSON.stringify(header.attrs)}`),
      onElement: (el) => {
        const text = el.toString()
        events.push(`element ${text}`)
        elements.push(text)
      },
      onStreamEnd: () => events.push('end'),
      onError: (error) => {
        condition = error.condition
        events.push(`error ${error.condition}`)
      },
    },
    options,
  )
  let slowest = 0
  for (const chunk of chunks) {
    const started = performance.now()
    try {
      parser.write(chunk)
    } catch (error) {
      problems.push(`write threw: ${(error as Error).stack}`)
    }
    slowest = Math.max(slowest, performance.now() - started)
  }
  return { events, elements, problems, condition, slowest }
}

/**
 * The parser alone, fed `chunks`. Invariants: no write throws; at most one
 * error, last, with an RFC 6120 condition; nothing after the stream's end; the
 * same events as the same bytes in one piece (chunking changes nothing but where a failure is seen); every
 * element it emits serializes and reads back the same (what we accept, we can forward).
 */
export function runParser(chunks: readonly Uint8Array[]): ParserOutcome {
  const run = feed(chunks)
  const problems = [...run.problems]
  const errorAt = run.events.findIndex((e) => e.startsWith('error '))
  if (errorAt !== -1 && errorAt !== run.events.length - 1) problems.push('events after the error')
  if (run.condition !== undefined && !STREAM_ERROR_CONDITIONS.has(run.condition)) {
    problems.push(`not an RFC 6120 condition: ${run.condition}`)
  }
  const endAt = run.events.indexOf('end')
  if (endAt !== -1 && endAt !== run.events.length - 1) problems.push('events after the stream end')
  const starts = run.events.filter((e) => e.startsWith('start ')).length
  if (starts > 1) problems.push('more than one stream header')
  if (chunks.length > 1) {
    const whole = feed([Buffer.concat(chunks)])
    const difference = chunkingDifference(whole, run)
    if (difference) problems.push(`chunking changed the events: ${difference}`)
  }
  for (const text of run.elements) {
    // Escaping may grow an element up to 6x ('>' in text, quotes in attribute values), so the
    // read-back gets room for it: what this checks is the content, not the size.
    const again = feed([Buffer.from(HEADER + text)], { maxStanzaBytes: Buffer.byteLength(text) + 1 })
    if (again.elements.length !== 1 || again.elements[0] !== text || again.condition !== undefined) {
      problems.push(`an accepted element does not read back: ${text.slice(0, 200)} -> ${again.events.at(-1)}`)
      break
    }
  }
  return { events: run.events, condition: run.condition, slowestWriteMs: run.slowest, problems }
}

/**
 * Chunking may only move where a failure is noticed: the parser decodes a
 * slice's UTF-8 before scanning it, so invalid bytes can be reported before
 * (and instead of) an earlier error, or cost the elements earlier in the same
 * slice, or spoil a clean end that shares a slice with them. Both runs must
 * then fail (or the other end cleanly), and agree on everything before that.
 */
function chunkingDifference(
  a: { events: string[]; condition: string | undefined },
  b: { events: string[]; condition: string | undefined },
): string | undefined {
  if ((a.condition === undefined) !== (b.condition === undefined)) {
    // Bytes after '</stream:stream>' are ignored, unless they share a slice with it.
    const [failed, clean] = a.condition === undefined ? [b, a] : [a, b]
    if (failed.condition !== 'not-well-formed' || clean.events.at(-1) !== 'end') {
      return `one run failed (${failed.condition}), the other did not`
    }
  }
  const left = a.condition !== undefined ? a.events.slice(0, -1) : a.events
  const right = b.condition !== undefined ? b.events.slice(0, -1) : b.events
  const failed = a.condition !== undefined || b.condition !== undefined
  const common = failed ? Math.min(left.length, right.length) : Math.max(left.length, right.length)
  for (let i = 0; i < common; i++) {
    if (left[i] !== right[i])
      return `#${i}: ${String(left[i]).slice(0, 120)} vs ${String(right[i]).slice(0, 120)}`
  }
  return undefined
}
