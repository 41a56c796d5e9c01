import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import type { ConfigIssue } from './config-issue.js'
import { normaliseDomainName } from './domain-name.js'

// Configuration file text: parse it, and find where a setting path sits in it (line, column).

export type SourceFormat = 'json' | 'yaml'
export type Position = { line: number; column: number }
export type ParsedText =
  | { ok: true; value: unknown; locate: (path: readonly PropertyKey[]) => Position | undefined }
  | { ok: false; issues: ConfigIssue[] }

export function parseConfigText(text: string, format: SourceFormat): ParsedText {
  if (text.trim() === '') {
    return {
      ok: false,
      issues: [
        {
          code: 'BAD_FILE',
          path: '',
          message: 'the file is empty',
          fix: 'write a configuration object with at least `domains`',
        },
      ],
    }
  }
  // JSON is (almost) YAML, so one YAML document gives positions for both formats.
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: true })
  const locate = (path: readonly PropertyKey[]) => locateInDocument(document, lineCounter, path)
  if (format === 'json') return parseJson(text, locate)
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => ({
        code: 'BAD_FILE',
        path: '',
        // The pretty message repeats the position and quotes the source: keep its first sentence.
        message: `YAML syntax error: ${error.message.split(/ at line \d+, column \d+/)[0]}`,
        line: error.linePos?.[0].line ?? 1,
        column: error.linePos?.[0].col ?? 1,
      })),
    }
  }
  return { ok: true, value: document.toJS(), locate }
}

function parseJson(text: string, locate: (path: readonly PropertyKey[]) => Position | undefined): ParsedText {
  try {
    return { ok: true, value: JSON.parse(text), locate }
  } catch (error) {
    const reason = (error as Error).message
    // V8 quotes the start of the text in some messages ('Unexpected token ...'), which may hold
    // a secret: keep only its own words, and take the position from it or from a JSON-only YAML parse.
    const words = reason.replace(/, (\.\.\.)?".*$/s, '').replace(/ in JSON at position \d+.*$/s, '')
    const offset = /at position (\d+)/.exec(reason)?.[1]
    const position = offset === undefined ? jsonErrorPosition(text) : positionOf(text, Number(offset))
    return {
      ok: false,
      issues: [{ code: 'BAD_FILE', path: '', message: `JSON syntax error: ${words}`, ...position }],
    }
  }
}

function jsonErrorPosition(text: string): Position | undefined {
  const linePos = parseDocument(text, { schema: 'json', prettyErrors: true }).errors[0]?.linePos?.[0]
  return linePos && { line: linePos.line, column: linePos.col }
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n')
  return { line: before.length, column: before[before.length - 1]!.length + 1 }
}

/** The position of the deepest part of `path` present in the document (its key, for a map entry). */
function locateInDocument(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): Position | undefined {
  let node: unknown = document.contents
  let found: Node | undefined = isMap(node) || isSeq(node) ? node : undefined
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && keyMatches(item.key.value, segment))
      if (!pair) break
      found = pair.key as Node
      node = pair.value
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment]
      if (!item) break
      found = item as Node
      node = item
    } else break
  }
  const offset = found?.range?.[0]
  if (offset === undefined) return undefined
  const { line, col } = lineCounter.linePos(offset)
  return { line, column: col }
}

// Domain keys are normalised by the schema ('A.Test' becomes 'a.test'), so compare both spellings.
function keyMatches(key: unknown, segment: PropertyKey): boolean {
  const written = String(key)
  return written === String(segment) || normaliseDomainName(written) === String(segment)
}
