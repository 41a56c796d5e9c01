/**
 * The hardened push parser in front of everything an s2s peer sends (RFC 6120 §4, §11).
 *
 * One instance reads one XMPP stream: an optional XML declaration, the stream header, then
 * top-level elements, each emitted as a namespace-self-contained ltx Element. It accepts only
 * the restricted XML of RFC 6120 §11.1 and fails with exactly one StreamError otherwise.
 *
 * Why not ltx's parser: it throws on `&bogus;` from inside the socket handler, re-scans an
 * unterminated token from its start on every chunk (quadratic), ignores DOCTYPE, comments and
 * processing instructions, and has no limits.
 *
 * How it stays linear: the scanner is a state machine over the decoded text of each chunk.
 * A token that does not end in the current string is moved into `acc` (one slice per string)
 * and scanning resumes at the next string's first character, never at the token's start.
 *
 * XML 1.0 normalisation: line ends in character data are normalised (§2.11: CRLF and CR become
 * LF); literal tab, CR and LF in attribute values become a space (§3.3.3, CDATA-type attributes).
 * Characters written as references (`&#13;`, `&#9;`) are kept as they are.
 */
import { Element } from 'ltx'
import { StreamError, type StreamErrorCondition } from '../errors.js'
import { NS } from '../namespaces.js'
import { isNameChar, isNameStartChar, isXmlChar, NOT_A_QNAME, qnameColon } from './chars.js'
import { StringCache } from './string-cache.js'
import { Utf8StreamDecoder } from './utf8-decoder.js'

/** Bounds the parser enforces as bytes arrive, before any element is built. */
export interface XmlStreamParserOptions {
  /** Raw bytes of one top-level element, counted as they arrive. Default 512 KiB. */
  maxStanzaBytes?: number
  /** Element nesting below the stream root (a stanza is depth 1). Default 64. */
  maxDepth?: number
  /** Bytes from the stream's start to the stream header's '>', XML declaration included. Default 8 KiB. */
  maxHeaderBytes?: number
  /** Attributes per element, namespace declarations included. Default 64. */
  maxAttributes?: number
}

/** Callbacks the parser drives, in document order. */
export interface XmlStreamParserHandlers {
  /** The stream root's start tag was read (again after each reset()). */
  onStreamStart(header: StreamHeader): void
  /** Each complete top-level child of the stream root (stanza, features, db:result, ...). */
  onElement(el: Element): void
  /** The root's end tag was read; later input is ignored until reset(). */
  onStreamEnd(): void
  /** The first error; the parser ignores all later input, reset() included. */
  onError(err: StreamError): void
}

/** The stream root's start tag, as read. */
export interface StreamHeader {
  /** As written, e.g. 'stream:stream'. */
  name: string
  /** As written, namespace declarations included. */
  attrs: Record<string, string>
  /** Prefix ('' for the default namespace) to URI, as declared on the root. */
  namespaces: Record<string, string>
}

/** A namespace declaration in scope; `depth` is the declaring element's (0 = stream root). */
/** What `tagAttrs` holds between tags; every tag start replaces it with an object of its own. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>

/**
 * A copy of `text` with characters of its own. V8 makes a slice of 13 characters or more a view
 * into the string it was cut from, which then lives as long as the slice does; a header value
 * kept for a stream's lifetime would keep the whole decoded chunk it arrived in.
 */
function ownedCopy(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8')
}

interface Binding {
  readonly prefix: string
  readonly uri: string
  readonly depth: number
  /** The binding of the same prefix this one hides, back in force once this one leaves scope. */
  readonly shadowed: Binding | null
  /** The declaration made before this one: the scope as a stack, newest first. */
  readonly next: Binding | null
}

const DEFAULTS = {
  maxStanzaBytes: 512 * 1024,
  maxDepth: 64,
  maxHeaderBytes: 8 * 1024,
  maxAttributes: 64,
} as const

/** Input is decoded and scanned in slices of this many bytes: a failure stops work early. */
const SLICE_BYTES = 64 * 1024
/** Element and attribute names, each with its QName colon (checked before it is cached). */
const NAMES = new StringCache(512, 40)
/** Longest body accepted between '&' and ';' (`#x10FFFF` is 8). */
const MAX_REFERENCE_LENGTH = 12
const XMLNS_URI = 'http://www.w3.org/2000/xmlns/'
/** Namespaces in XML 1.0 §3: the xml prefix is bound without a declaration. */
const XML_BINDING: Binding = { prefix: 'xml', uri: NS.xml, depth: -1, shadowed: null, next: null }

// Scanner states.
const OUTSIDE = 0 // before the header, or between top-level elements: whitespace and '<' only
const TEXT = 1 // character data inside a top-level element
const MARKUP = 2 // just after '<'
const START_NAME = 3
const IN_TAG = 4 // start tag, where whitespace, an attribute, '/' or '>' may come
const ATTR_NAME = 5
const BEFORE_EQ = 6
const BEFORE_VALUE = 7
const ATTR_VALUE = 8
const AFTER_VALUE = 9 // just after an attribute value's closing quote
const EMPTY_TAG = 10 // after '/' in a start tag
const END_NAME = 11
const AFTER_END_NAME = 12
const REFERENCE = 13 // after '&'
const BANG = 14 // after '<!'
const CDATA = 15
const PI_TARGET = 16 // after '<?'
const DECLARATION = 17 // inside <?xml ... ?>
const DONE = 18 // ended or failed: input is ignored

const TAB = 0x09
const LF = 0x0a
const CR = 0x0d
const SPACE = 0x20
const BANG_MARK = 0x21
const QUOT = 0x22
const HASH = 0x23
const AMP = 0x26
const APOS = 0x27
const DASH = 0x2d
const SLASH = 0x2f
const SEMICOLON = 0x3b
const LT = 0x3c
const EQ = 0x3d
const GT = 0x3e
const QUESTION = 0x3f
const RSQB = 0x5d

/** ASCII characters a scanning loop may step over without a second look. */
function plainAscii(isPlain: (c: number) => boolean): Uint8Array {
  const table = new Uint8Array(128)
  for (let c = 0; c < 128; c++) table[c] = isPlain(c) ? 1 : 0
  return table
}
/**
 * The UTF-16 units a text run stops at: everything but TAB, LF, and [#x20-#xFFFD] without '&',
 * '<' and '>' (surrogates come in pairs from the decoder). A regular expression, not a loop over
 * charCodeAt: V8 runs its compiled character-class scan several times faster than that loop on
 * a message body.
 */
const TEXT_STOP = /[^\t\n\x20-\x25\x27-\x3b\x3d\x3f-\ufffd]/g
const ATTR_PLAIN = plainAscii((c) => c >= SPACE && c !== LT && c !== AMP && c !== QUOT && c !== APOS)
const CDATA_PLAIN = plainAscii((c) => (c >= SPACE && c !== GT) || c === TAB || c === LF)

const isSpace = (c: number) => c === SPACE || c === LF || c === CR || c === TAB
const CR_LF = /\r\n?/g
const ATTR_WHITESPACE = /\r\n?|[\t\n]/g

function hex(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`
}

/** A name for an error text: a hostile peer's 500 KB name must not land in our logs. */
function shown(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}...` : name
}

/** UTF-8 length of `s[from, to)`; each surrogate of a pair counts 2 of its 4 bytes. */
function utf8Length(s: string, from: number, to: number): number {
  let bytes = to - from
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2
  }
  return bytes
}

/** Sets an own property, also for the name `__proto__` (which `obj[name] =` would swallow). */
function setOwn(record: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    record[key] = value
  }
}

/**
 * Incremental parser for one XMPP stream: one open root element whose children arrive over time. Limits
 * apply while reading, so a peer cannot make it buffer an unbounded element.
 */
export class XmlStreamParser {
  private readonly limits: Required<XmlStreamParserOptions>

  /**
   * Changes the byte budget of the stanzas that start from now on: the peer's own
   * limit once it has said who it is (the per-domain setting).
   */
  setMaxStanzaBytes(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 1)
      throw new RangeError('maxStanzaBytes must be a positive integer')
    this.limits.maxStanzaBytes = bytes
  }
  private decoder = new Utf8StreamDecoder()
  private state = OUTSIDE
  private isFailed = false
  /** Bumped by reset(): a handler that restarts the stream ends the current write. */
  private generation = 0
  private writing = false
  private queued: (Buffer | Uint8Array)[] = []

  // The stream root.
  private rootName = '' // as written; '' until the header is read
  private declarationAllowed = true
  private scope: Binding | null = null
  /**
   * The binding in force for each prefix in `scope`: a lookup must not walk the scope, which a
   * peer can fill with maxDepth x maxAttributes declarations (issue 12, item 4).
   */
  private readonly innermost = new Map<string, Binding>()

  // Byte budget of the header or of the current top-level element; -1 when none runs.
  private budgetLimit = -1
  private budgetUsed = 0
  private budgetFrom = 0 // index in the current string from which bytes are not yet counted
  private asciiText = false // the current string came from ASCII bytes only: one byte per character

  // The token being scanned.
  private acc = '' // text run, name, attribute value or declaration body read so far
  private mark = 0 // where its part not yet in `acc` starts in the current string
  private normalize = false // that part holds characters §2.11/§3.3.3 rewrite
  private afterCR = false // the previous string ended in a literal CR: a leading LF belongs to it
  private bracketRun = 0 // literal ']' (up to 2) of this run at the end of the previous string
  private quote = 0
  private referenceReturn = TEXT
  private referenceAcc = ''
  private referenceMark = 0
  private matched = 0 // characters of '[CDATA[' or 'xml' matched so far

  // The start tag being scanned.
  private tagName = ''
  private tagColon = -1
  private tagAttrs: Record<string, string> = {}
  private tagAttrCount = 0
  private tagPrefixedAttrs: string[] | null = null
  private tagScope: Binding | null = null // scope before this tag's declarations
  private attrName = ''
  private nameColon = -1 // of the name takeName() returned last
  private attrColon = -1
  private endName = ''

  // Open elements below the root; [0] is the top-level element.
  private readonly elements: Element[] = []
  private readonly names: string[] = []
  private readonly scopes: (Binding | null)[] = []
  /**
   * When the top-level element was renamed into another default namespace: the default its
   * unprefixed descendants inherit, so they get it as an explicit xmlns. Otherwise null.
   */
  private topDefault: string | null = null

  constructor(
    private readonly handlers: XmlStreamParserHandlers,
    options: XmlStreamParserOptions = {},
  ) {
    this.limits = {
      maxStanzaBytes: options.maxStanzaBytes ?? DEFAULTS.maxStanzaBytes,
      maxDepth: options.maxDepth ?? DEFAULTS.maxDepth,
      maxHeaderBytes: options.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes,
      maxAttributes: options.maxAttributes ?? DEFAULTS.maxAttributes,
    }
    for (const [key, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer`)
    }
    this.startStream()
  }

  /** True once the parser reported an error; it ignores all later input. */
  get failed(): boolean {
    return this.isFailed
  }

  /** Feeds bytes. Never throws: every failure goes to onError, once. */
  write(chunk: Buffer | Uint8Array): void {
    if (this.writing) {
      // A handler wrote synchronously: finish the current chunk first, positions are shared.
      this.queued.push(chunk)
      return
    }
    this.writing = true
    try {
      this.consume(chunk)
      for (let next = this.queued.shift(); next !== undefined; next = this.queued.shift()) this.consume(next)
    } finally {
      this.writing = false
    }
    // Between tags, the last tag's name and attributes are slices of the text just decoded: kept
    // in these fields, they would keep that whole chunk alive on an idle stream.
    if (this.state === OUTSIDE) {
      this.tagName = ''
      this.tagAttrs = NO_ATTRIBUTES
    }
  }

  /**
   * Starts a new stream (RFC 6120 §4.3.3 restart after STARTTLS or SASL): an optional XML
   * declaration and a new header come next, through a fresh UTF-8 decoder. Called from a
   * handler, it also drops the rest of the bytes being written: after <proceed/> they are
   * plaintext that must never reach the encrypted stream. A failed parser stays failed.
   */
  reset(): void {
    this.generation++
    this.decoder = new Utf8StreamDecoder()
    if (!this.isFailed) this.startStream()
  }

  private startStream(): void {
    this.state = OUTSIDE
    this.rootName = ''
    this.declarationAllowed = true
    this.scope = null
    this.innermost.clear()
    this.clearElements()
    this.acc = ''
    this.afterCR = false
    this.startBudget(this.limits.maxHeaderBytes, 0)
  }

  private clearElements(): void {
    this.elements.length = 0
    this.names.length = 0
    this.scopes.length = 0
    this.topDefault = null
  }

  private consume(chunk: Buffer | Uint8Array): void {
    const generation = this.generation
    try {
      for (let offset = 0; offset < chunk.length; offset += SLICE_BYTES) {
        if (this.state === DONE || this.generation !== generation) return
        const slice = chunk.length <= SLICE_BYTES ? chunk : chunk.subarray(offset, offset + SLICE_BYTES)
        const text = this.decoder.decode(slice)
        if (text === null) {
          this.fail('not-well-formed', 'invalid UTF-8')
          return
        }
        // All-ASCII bytes are one character each: the byte budget is then a subtraction, not a scan.
        this.asciiText = this.decoder.ascii
        if (text.length > 0) this.scan(text, generation)
      }
    } catch (err) {
      // A handler threw (or we have a bug): end the stream rather than the process.
      this.fail('internal-server-error', 'XML stream handler failed', err)
    }
  }

  private fail(condition: StreamErrorCondition, text: string, cause?: unknown): number {
    if (!this.isFailed) {
      this.isFailed = true
      this.state = DONE
      this.clearElements()
      this.acc = ''
      this.referenceAcc = ''
      this.queued.length = 0
      try {
        this.handlers.onError(new StreamError(condition, text, { cause }))
      } catch {
        // The parser has failed already; there is nobody left to tell.
      }
    }
    return Number.POSITIVE_INFINITY
  }

  private scan(s: string, generation: number): void {
    const n = s.length
    let i = 0
    this.mark = 0
    this.referenceMark = 0
    this.budgetFrom = 0
    while (i < n && this.generation === generation) {
      switch (this.state) {
        case OUTSIDE:
          i = this.outside(s, i, n)
          break
        case TEXT:
          i = this.text(s, i, n)
          break
        case MARKUP:
          i = this.markup(s, i, n)
          break
        case START_NAME:
          i = this.startName(s, i, n)
          break
        case IN_TAG:
          i = this.inTag(s, i, n)
          break
        case ATTR_NAME:
          i = this.attributeName(s, i, n)
          break
        case BEFORE_EQ:
          i = this.beforeEq(s, i, n)
          break
        case BEFORE_VALUE:
          i = this.beforeValue(s, i, n)
          break
        case ATTR_VALUE:
          i = this.attributeValue(s, i, n)
          break
        case AFTER_VALUE:
          i = this.afterValue(s, i)
          break
        case EMPTY_TAG:
          i =
            s.charCodeAt(i) === GT
              ? this.endStartTag(s, i, true)
              : this.fail('not-well-formed', "'/' not followed by '>'")
          break
        case END_NAME:
          i = this.endTagName(s, i, n)
          break
        case AFTER_END_NAME:
          i = this.afterEndName(s, i, n)
          break
        case REFERENCE:
          i = this.reference(s, i, n)
          break
        case BANG:
          i = this.bang(s, i, n)
          break
        case CDATA:
          i = this.cdata(s, i, n)
          break
        case PI_TARGET:
          i = this.processingInstruction(s, i, n)
          break
        case DECLARATION:
          i = this.declaration(s, i, n)
          break
        default:
          return
      }
    }
    if (this.generation === generation && this.state !== DONE) this.endOfString(s, n)
  }

  /** Counts the string's bytes, then moves an unfinished token out of it. */
  private endOfString(s: string, n: number): void {
    if (this.budgetLimit >= 0 && !this.countBytes(s, n)) return
    switch (this.state) {
      case TEXT:
      case CDATA:
        this.carryBrackets(s, n)
        this.appendLiteral(s, this.mark, n, false)
        this.afterCR = n > this.mark && s.charCodeAt(n - 1) === CR
        break
      case ATTR_VALUE:
        this.appendLiteral(s, this.mark, n, true)
        this.afterCR = n > this.mark && s.charCodeAt(n - 1) === CR
        break
      case START_NAME:
      case ATTR_NAME:
      case END_NAME:
      case DECLARATION:
        this.acc += s.slice(this.mark, n)
        break
      case REFERENCE:
        this.referenceAcc += s.slice(this.referenceMark, n)
        break
    }
  }

  // --- byte budgets ---------------------------------------------------------------------------

  private startBudget(limit: number, from: number): void {
    this.budgetLimit = limit
    this.budgetUsed = 0
    this.budgetFrom = from
  }

  /** Adds the bytes up to `to`; fails with policy-violation past the limit. */
  private countBytes(s: string, to: number): boolean {
    this.budgetUsed += this.asciiText ? to - this.budgetFrom : utf8Length(s, this.budgetFrom, to)
    this.budgetFrom = to
    if (this.budgetUsed <= this.budgetLimit) return true
    this.fail(
      'policy-violation',
      this.rootName === ''
        ? `stream header exceeds ${this.budgetLimit} bytes`
        : `stanza exceeds ${this.budgetLimit} bytes`,
    )
    return false
  }

  // --- character data -------------------------------------------------------------------------

  private outside(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (isSpace(c)) continue // whitespace keepalive (RFC 6120 §4.6.1)
      if (c !== LT) {
        return this.fail(
          'not-well-formed',
          this.rootName === '' ? 'character data before the stream header' : 'character data at stream level',
        )
      }
      if (this.rootName !== '') this.startBudget(this.limits.maxStanzaBytes, i)
      this.state = MARKUP
      return i + 1 < n ? this.markup(s, i + 1, n) : i + 1
    }
    return n
  }

  private text(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      // Most runs between tags are empty: no scan for those.
      let c = s.charCodeAt(i)
      if (c !== LT) {
        TEXT_STOP.lastIndex = i
        if (!TEXT_STOP.test(s)) return n
        i = TEXT_STOP.lastIndex - 1
        if (i >= n) return n
        c = s.charCodeAt(i)
      }
      if (c === LT) {
        this.appendLiteral(s, this.mark, i, false)
        this.state = MARKUP
        return i + 1 < n ? this.markup(s, i + 1, n) : i + 1
      }
      if (c === AMP) {
        this.appendLiteral(s, this.mark, i, false)
        return this.startReference(TEXT, i + 1)
      }
      if (c === GT) {
        // XML 1.0 §2.4: character data must not contain ']]>'.
        if (this.bracketsBefore(s, i)) return this.fail('not-well-formed', "']]>' in character data")
        continue
      }
      if (c === CR) {
        this.normalize = true
        continue
      }
      return this.fail('not-well-formed', `character ${hex(c)} in character data`)
    }
    return n
  }

  /** `<![CDATA[...]]>` inside an element: its content joins the surrounding text run. */
  private cdata(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x80) {
        if (CDATA_PLAIN[c] === 1) continue
        if (c === GT) {
          if (!this.bracketsBefore(s, i)) continue
          const inString = i - this.mark
          if (inString >= 2) {
            this.appendLiteral(s, this.mark, i - 2, false)
          } else {
            // Some of the ']]' arrived with the previous string and already sit in acc.
            this.afterCR = false
            this.acc = this.acc.slice(0, this.acc.length - (2 - inString))
          }
          this.enterText(i + 1)
          return i + 1
        }
        if (c === CR) {
          this.normalize = true
          continue
        }
        return this.fail('not-well-formed', `character ${hex(c)} in a CDATA section`)
      }
      if (c >= 0xfffe) return this.fail('not-well-formed', `character ${hex(c)} in a CDATA section`)
    }
    return n
  }

  private enterText(from: number): void {
    this.state = TEXT
    this.mark = from
    this.bracketRun = 0
  }

  /** Whether the two literal characters of this run before `i` are ']]'. */
  private bracketsBefore(s: string, i: number): boolean {
    const inString = i - this.mark
    if (inString >= 2) return s.charCodeAt(i - 1) === RSQB && s.charCodeAt(i - 2) === RSQB
    if (inString === 1) return s.charCodeAt(i - 1) === RSQB && this.bracketRun >= 1
    return this.bracketRun >= 2
  }

  /** Remembers the ']' ending this string's part of the run, for a '>' at the next one's start. */
  private carryBrackets(s: string, n: number): void {
    let run = 0
    while (run < 2 && n - run > this.mark && s.charCodeAt(n - 1 - run) === RSQB) run++
    if (run === n - this.mark) run = Math.min(2, run + this.bracketRun)
    this.bracketRun = run
  }

  /** Adds literal characters `s[from, to)` to `acc`, normalised per §2.11 or §3.3.3. */
  private appendLiteral(s: string, from: number, to: number, inAttribute: boolean): void {
    if (this.afterCR) {
      this.afterCR = false
      if (from === 0 && to > 0 && s.charCodeAt(0) === LF) from = 1 // the LF of a CRLF cut in two
    }
    if (from >= to) {
      this.normalize = false
      return
    }
    let piece = s.slice(from, to)
    if (this.normalize) {
      this.normalize = false
      piece = inAttribute ? piece.replace(ATTR_WHITESPACE, ' ') : piece.replace(CR_LF, '\n')
    }
    this.acc += piece
  }

  // --- references -----------------------------------------------------------------------------

  private startReference(returnTo: number, from: number): number {
    this.state = REFERENCE
    this.referenceReturn = returnTo
    this.referenceAcc = ''
    this.referenceMark = from
    this.normalize = false
    return from
  }

  private reference(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c === SEMICOLON) {
        const body = this.referenceAcc + s.slice(this.referenceMark, i)
        this.referenceAcc = ''
        const value = this.resolveReference(body)
        if (value === undefined) return Number.POSITIVE_INFINITY
        this.acc += value
        if (this.referenceReturn === TEXT) {
          this.enterText(i + 1)
        } else {
          this.state = ATTR_VALUE
          this.mark = i + 1
        }
        return i + 1
      }
      if (c < 0x80 && c !== HASH && !isNameChar(c))
        return this.fail('not-well-formed', "'&' not starting a reference")
      if (this.referenceAcc.length + i - this.referenceMark >= MAX_REFERENCE_LENGTH) {
        return this.fail('not-well-formed', 'unterminated or overlong reference')
      }
    }
    return n
  }

  /** The five predefined entities and character references (XML 1.0 §4.1, §4.6); else fails. */
  private resolveReference(body: string): string | undefined {
    switch (body) {
      case 'lt':
        return '<'
      case 'gt':
        return '>'
      case 'amp':
        return '&'
      case 'quot':
        return '"'
      case 'apos':
        return "'"
    }
    if (body.charCodeAt(0) === HASH) {
      const isHex = body.charCodeAt(1) === 0x78 // 'x'
      const digits = body.slice(isHex ? 2 : 1)
      if (!(isHex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
        this.fail('not-well-formed', `malformed character reference &${body};`)
        return undefined
      }
      const codePoint = Number.parseInt(digits, isHex ? 16 : 10)
      if (!isXmlChar(codePoint)) {
        this.fail('not-well-formed', `character reference &${body}; is not an XML character`)
        return undefined
      }
      return String.fromCodePoint(codePoint)
    }
    if (body.length > 0 && isNameStartChar(body.codePointAt(0)!)) {
      // RFC 6120 §11.1: no DTD, so no entity but the predefined five can be declared.
      this.fail('restricted-xml', `undeclared entity &${body};`)
    } else {
      this.fail('not-well-formed', `malformed reference &${body};`)
    }
    return undefined
  }

  // --- markup ---------------------------------------------------------------------------------

  /**
   * Just after '<'. Here and in the other states, a transition whose next character is already
   * at hand goes on into the next state's method: what the scan loop's dispatch would do, cheaper.
   */
  private markup(s: string, i: number, n: number): number {
    const c = s.charCodeAt(i)
    if (c === SLASH) {
      if (this.rootName === '') return this.fail('not-well-formed', 'end tag before the stream header')
      this.flushText()
      this.state = END_NAME
      this.mark = i + 1
      return this.endTagName(s, i + 1, n)
    }
    if (c === BANG_MARK) {
      this.state = BANG
      this.matched = 0
      return i + 1
    }
    if (c === QUESTION) {
      // RFC 6120 §11.1 forbids processing instructions; the XML declaration only may open the stream.
      if (!this.declarationAllowed) return this.fail('restricted-xml', 'processing instruction')
      this.state = PI_TARGET
      this.matched = 0
      return i + 1
    }
    if (c < 0x80 && !isNameStartChar(c)) return this.fail('not-well-formed', `'<' followed by ${hex(c)}`)
    this.flushText()
    this.declarationAllowed = false
    this.state = START_NAME
    this.mark = i
    return this.startName(s, i, n)
  }

  /** After '<!': a CDATA section inside an element, else forbidden markup. */
  private bang(s: string, i: number, n: number): number {
    const open = '[CDATA['
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (this.matched === 0 && c !== open.charCodeAt(0)) {
        // RFC 6120 §11.1: no comments, no DTD (so no entity declarations, internal or external).
        const what = c === DASH ? 'comment' : c === 0x44 /* D */ ? 'DOCTYPE' : 'markup declaration'
        return this.fail('restricted-xml', `${what} not allowed`)
      }
      if (c !== open.charCodeAt(this.matched)) return this.fail('not-well-formed', 'malformed CDATA section')
      if (++this.matched === open.length) {
        if (this.elements.length === 0) return this.fail('not-well-formed', 'CDATA section at stream level')
        this.state = CDATA
        this.mark = i + 1
        this.bracketRun = 0
        this.normalize = false
        return i + 1
      }
    }
    return n
  }

  /** After '<?' before the header: only `<?xml` followed by whitespace may come. */
  private processingInstruction(s: string, i: number, n: number): number {
    const target = 'xml'
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (this.matched < target.length) {
        if (c !== target.charCodeAt(this.matched))
          return this.fail('restricted-xml', 'processing instruction')
        this.matched++
        continue
      }
      if (isSpace(c)) {
        this.declarationAllowed = false
        this.state = DECLARATION
        this.acc = ''
        this.mark = i
        return i
      }
      if (c === QUESTION) return this.fail('not-well-formed', 'XML declaration without a version')
      return this.fail('restricted-xml', 'processing instruction')
    }
    return n
  }

  /** The XML declaration's body up to '?>' (XML 1.0 §2.8); bounded by the header budget. */
  private declaration(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c === GT) {
        const inString = i > this.mark
        const before = inString ? s.charCodeAt(i - 1) : this.acc.charCodeAt(this.acc.length - 1)
        if (before !== QUESTION) continue
        // The '?' is in this string, or it ended the previous one and sits in acc.
        const body = inString ? this.acc + s.slice(this.mark, i - 1) : this.acc.slice(0, -1)
        this.acc = ''
        this.state = OUTSIDE
        return this.checkDeclaration(body) ? i + 1 : Number.POSITIVE_INFINITY
      }
      if ((c < SPACE && !isSpace(c)) || c >= 0xfffe) {
        return this.fail('not-well-formed', `character ${hex(c)} in the XML declaration`)
      }
    }
    return n
  }

  private checkDeclaration(body: string): boolean {
    const fields = parseDeclaration(body)
    if (fields === null || fields.version === undefined || !/^1\.[0-9]+$/.test(fields.version)) {
      this.fail('not-well-formed', 'malformed XML declaration')
      return false
    }
    if (fields.encoding !== undefined && fields.encoding.toLowerCase() !== 'utf-8') {
      // RFC 6120 §11.6: UTF-8 only.
      this.fail('unsupported-encoding', `encoding '${shown(fields.encoding)}'`)
      return false
    }
    return true
  }

  // --- tags -----------------------------------------------------------------------------------

  /** Ends the token at `i`: what `acc` holds plus the string's part since `mark`. */
  private takeToken(s: string, i: number): string {
    const token = this.acc === '' ? s.slice(this.mark, i) : this.acc + s.slice(this.mark, i)
    this.acc = ''
    return token
  }

  /** Ends a name token at `i`, like takeToken; its QName colon (or NOT_A_QNAME) goes to `nameColon`. */
  private takeName(s: string, i: number): string {
    if (this.acc !== '') {
      const name = this.takeToken(s, i)
      this.nameColon = qnameColon(name)
      return name
    }
    const slot = NAMES.find(s, this.mark, i)
    if (slot !== -1) {
      this.nameColon = NAMES.tagIn(slot)
      return NAMES.stringIn(slot)
    }
    const name = s.slice(this.mark, i)
    this.nameColon = qnameColon(name)
    return this.nameColon === NOT_A_QNAME ? name : NAMES.add(s, this.mark, i, this.nameColon)
  }

  private flushText(): void {
    if (this.acc === '') return
    this.elements[this.elements.length - 1]!.children.push(this.acc)
    this.acc = ''
  }

  private startName(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c > SPACE && c !== SLASH && c !== GT) continue
      const name = this.takeName(s, i)
      const colon = this.nameColon
      if (colon === NOT_A_QNAME) return this.fail('not-well-formed', `invalid element name '${shown(name)}'`)
      this.tagName = name
      this.tagColon = colon
      this.tagAttrs = {}
      this.tagAttrCount = 0
      this.tagPrefixedAttrs = null
      this.tagScope = this.scope
      this.state = IN_TAG
      return c === GT ? this.endStartTag(s, i, false) : i
    }
    return n
  }

  private inTag(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (isSpace(c)) continue
      if (c === GT) return this.endStartTag(s, i, false)
      if (c === SLASH) {
        this.state = EMPTY_TAG
        return i + 1
      }
      if (c >= 0x80 || isNameStartChar(c)) {
        this.state = ATTR_NAME
        this.mark = i
        return this.attributeName(s, i, n)
      }
      return this.fail('not-well-formed', `character ${hex(c)} in a start tag`)
    }
    return n
  }

  private attributeName(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c > SPACE && c !== EQ && c !== SLASH && c !== GT) continue
      const name = this.takeName(s, i)
      const colon = this.nameColon
      if (colon === NOT_A_QNAME)
        return this.fail('not-well-formed', `invalid attribute name '${shown(name)}'`)
      this.attrName = name
      this.attrColon = colon
      this.state = BEFORE_EQ
      const quote = c === EQ && i + 1 < n ? s.charCodeAt(i + 1) : 0
      if (quote !== QUOT && quote !== APOS) return i
      this.quote = quote
      this.state = ATTR_VALUE
      this.mark = i + 2
      this.normalize = false
      return i + 2
    }
    return n
  }

  private beforeEq(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (isSpace(c)) continue
      if (c !== EQ) return this.fail('not-well-formed', `attribute '${shown(this.attrName)}' without a value`)
      this.state = BEFORE_VALUE
      return i + 1
    }
    return n
  }

  private beforeValue(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (isSpace(c)) continue
      if (c !== QUOT && c !== APOS) {
        return this.fail('not-well-formed', `unquoted value of attribute '${shown(this.attrName)}'`)
      }
      this.quote = c
      this.state = ATTR_VALUE
      this.mark = i + 1
      this.normalize = false
      return i + 1
    }
    return n
  }

  private attributeValue(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x80) {
        if (ATTR_PLAIN[c] === 1) continue
        if (c === this.quote) {
          this.appendLiteral(s, this.mark, i, true)
          const value = this.acc
          this.acc = ''
          this.state = AFTER_VALUE
          if (!this.addAttribute(value)) return Number.POSITIVE_INFINITY
          return i + 1 < n ? this.afterValue(s, i + 1) : i + 1
        }
        if (c === QUOT || c === APOS) continue
        if (c === AMP) {
          this.appendLiteral(s, this.mark, i, true)
          return this.startReference(ATTR_VALUE, i + 1)
        }
        if (c === LT) return this.fail('not-well-formed', "'<' in an attribute value")
        if (c === TAB || c === LF || c === CR) {
          this.normalize = true
          continue
        }
        return this.fail('not-well-formed', `character ${hex(c)} in an attribute value`)
      }
      if (c >= 0xfffe) return this.fail('not-well-formed', `character ${hex(c)} in an attribute value`)
    }
    return n
  }

  private afterValue(s: string, i: number): number {
    const c = s.charCodeAt(i)
    if (isSpace(c)) {
      this.state = IN_TAG
      return i + 1
    }
    if (c === GT) return this.endStartTag(s, i, false)
    if (c === SLASH) {
      this.state = EMPTY_TAG
      return i + 1
    }
    return this.fail('not-well-formed', 'no whitespace between attributes')
  }

  private addAttribute(value: string): boolean {
    const name = this.attrName
    if (++this.tagAttrCount > this.limits.maxAttributes) {
      this.fail('policy-violation', `more than ${this.limits.maxAttributes} attributes on one element`)
      return false
    }
    if (Object.hasOwn(this.tagAttrs, name)) {
      this.fail('not-well-formed', `duplicate attribute '${shown(name)}'`)
      return false
    }
    setOwn(this.tagAttrs, name, value)
    if (name === 'xmlns') return this.declare('', value)
    if (this.attrColon === 5 && name.startsWith('xmlns')) return this.declare(name.slice(6), value)
    if (this.attrColon > 0) {
      if (this.tagPrefixedAttrs === null) this.tagPrefixedAttrs = []
      this.tagPrefixedAttrs.push(name)
    }
    return true
  }

  /** A namespace declaration on the tag being read (Namespaces in XML 1.0 §3). */
  private declare(prefix: string, uri: string): boolean {
    let problem = ''
    if (prefix === 'xmlns') problem = 'the xmlns prefix cannot be declared'
    else if (prefix === 'xml') problem = uri === NS.xml ? '' : 'the xml prefix cannot be rebound'
    else if (uri === NS.xml || uri === XMLNS_URI) problem = `'${uri}' cannot be bound`
    else if (prefix !== '' && uri === '') problem = `empty namespace name for prefix '${shown(prefix)}'`
    if (problem !== '') {
      this.fail('not-well-formed', problem)
      return false
    }
    if (prefix === 'xml') return true
    const depth = this.rootName === '' ? 0 : this.elements.length + 1
    const shadowed = this.innermost.get(prefix) ?? null
    // The header's bindings last as long as the stream: they get characters of their own.
    const binding =
      depth === 0
        ? { prefix: ownedCopy(prefix), uri: ownedCopy(uri), depth, shadowed, next: this.scope }
        : { prefix, uri, depth, shadowed, next: this.scope }
    this.scope = binding
    this.innermost.set(prefix, binding)
    return true
  }

  private lookup(prefix: string): Binding | null {
    if (prefix === 'xml') return XML_BINDING
    return this.innermost.get(prefix) ?? null
  }

  /** Ends the declarations made since `outer` (an element closed): each prefix gets back what they hid. */
  private leaveScope(outer: Binding | null): void {
    for (let binding = this.scope; binding !== outer && binding !== null; binding = binding.next) {
      if (binding.shadowed === null) this.innermost.delete(binding.prefix)
      else this.innermost.set(binding.prefix, binding.shadowed)
    }
    this.scope = outer
  }

  /** '>' (or '/>') of a start tag at `i`. */
  private endStartTag(s: string, i: number, selfClosing: boolean): number {
    if (this.rootName === '') return this.openStream(s, i, selfClosing)
    const depth = this.elements.length + 1
    if (depth > this.limits.maxDepth) {
      return this.fail('policy-violation', `elements nested deeper than ${this.limits.maxDepth}`)
    }
    const attrs = this.tagAttrs
    let name = this.tagName
    const colon = this.tagColon
    if (depth === 1) this.topDefault = null
    if (colon > 0) {
      const prefix = name.slice(0, colon)
      const binding = prefix === 'xmlns' ? null : this.lookup(prefix)
      if (binding === null) return this.fail('not-well-formed', `unbound namespace prefix '${shown(prefix)}'`)
      if (depth === 1) {
        // Self-contained: <db:result> becomes <result xmlns='jabber:server:dialback'>.
        const inherited = this.lookup('')?.uri ?? ''
        name = name.slice(colon + 1)
        attrs.xmlns = binding.uri
        if (inherited !== binding.uri) this.topDefault = inherited
      } else if (binding.depth === 0) {
        this.declareOnTop(prefix, binding.uri, attrs, depth)
      }
    } else if (!Object.hasOwn(attrs, 'xmlns')) {
      const binding = this.lookup('')
      if (depth === 1) {
        if (binding !== null) attrs.xmlns = binding.uri
      } else if (this.topDefault !== null && (binding === null || binding.depth <= 1)) {
        attrs.xmlns = this.topDefault
      }
    }
    if (!this.resolveAttributes(attrs, depth)) return Number.POSITIVE_INFINITY

    const el = new Element(name)
    el.attrs = attrs // assigned, not copied: keeps an attribute named __proto__
    if (depth > 1) this.elements[depth - 2]!.cnode(el)
    if (selfClosing) {
      this.leaveScope(this.tagScope)
      if (depth === 1) return this.completeTopLevel(s, i, el)
    } else {
      this.elements.push(el)
      this.names.push(this.tagName)
      this.scopes.push(this.tagScope)
    }
    this.enterText(i + 1)
    return i + 1
  }

  /** Prefixed attributes: bound prefixes, no two with one expanded name (Namespaces §6.3). */
  private resolveAttributes(attrs: Record<string, string>, depth: number): boolean {
    const names = this.tagPrefixedAttrs
    if (names === null) return true
    const expanded: string[] = []
    for (const name of names) {
      const colon = name.indexOf(':')
      const prefix = name.slice(0, colon)
      const binding = this.lookup(prefix)
      if (binding === null) {
        this.fail('not-well-formed', `unbound namespace prefix '${shown(prefix)}' on attribute`)
        return false
      }
      if (binding.depth === 0 && depth > 0) this.declareOnTop(prefix, binding.uri, attrs, depth)
      if (names.length > 1) {
        const key = `${binding.uri} ${name.slice(colon + 1)}`
        if (expanded.includes(key)) {
          this.fail('not-well-formed', `duplicate attribute '${shown(name)}'`)
          return false
        }
        expanded.push(key)
      }
    }
    return true
  }

  /** A prefix declared only on the stream root is declared again on the top-level element. */
  private declareOnTop(prefix: string, uri: string, attrs: Record<string, string>, depth: number): void {
    const top = depth === 1 ? attrs : (this.elements[0]!.attrs as Record<string, string>)
    const key = `xmlns:${prefix}`
    if (!Object.hasOwn(top, key)) setOwn(top, key, uri)
  }

  private completeTopLevel(s: string, i: number, el: Element): number {
    if (!this.countBytes(s, i + 1)) return Number.POSITIVE_INFINITY
    this.budgetLimit = -1
    this.state = OUTSIDE
    this.topDefault = null
    this.handlers.onElement(el)
    return i + 1
  }

  /** '>' of the stream header (RFC 6120 §4.7). */
  private openStream(s: string, i: number, selfClosing: boolean): number {
    const name = this.tagName
    const colon = this.tagColon
    const prefix = colon > 0 ? name.slice(0, colon) : ''
    const binding = prefix === 'xmlns' ? null : this.lookup(prefix)
    if (binding === null && prefix !== '') {
      return this.fail('not-well-formed', `unbound namespace prefix '${shown(prefix)}'`)
    }
    if (!this.resolveAttributes(this.tagAttrs, 0)) return Number.POSITIVE_INFINITY
    const local = colon > 0 ? name.slice(colon + 1) : name
    if (local !== 'stream' || binding?.uri !== NS.stream) {
      return this.fail('invalid-namespace', `the stream root must be <stream> in ${NS.stream}`)
    }
    if (!this.countBytes(s, i + 1)) return Number.POSITIVE_INFINITY
    this.budgetLimit = -1
    const namespaces: Record<string, string> = {}
    for (const [prefix, binding] of this.innermost) setOwn(namespaces, prefix, binding.uri)
    this.rootName = ownedCopy(name)
    this.declarationAllowed = false
    this.state = OUTSIDE
    const generation = this.generation
    // Sessions keep the header for the stream's life: its strings must not pin the chunk they came in.
    const attrs: Record<string, string> = {}
    for (const [key, value] of Object.entries(this.tagAttrs)) setOwn(attrs, ownedCopy(key), ownedCopy(value))
    this.handlers.onStreamStart({ name: this.rootName, attrs, namespaces })
    if (selfClosing && this.generation === generation && !this.isFailed) this.endStream()
    return i + 1
  }

  private endTagName(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c > SPACE && c !== GT) continue
      this.endName = this.takeToken(s, i)
      this.state = AFTER_END_NAME
      return c === GT ? this.closeElement(s, i) : i
    }
    return n
  }

  private afterEndName(s: string, i: number, n: number): number {
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (isSpace(c)) continue
      if (c !== GT) return this.fail('not-well-formed', `malformed end tag '${shown(this.endName)}'`)
      return this.closeElement(s, i)
    }
    return n
  }

  private closeElement(s: string, i: number): number {
    const depth = this.elements.length
    const name = this.endName
    this.endName = ''
    if (depth === 0) {
      if (name !== this.rootName)
        return this.fail('not-well-formed', `end tag </${shown(name)}> without a start tag`)
      this.endStream()
      return i + 1
    }
    const expected = this.names[depth - 1]!
    if (name !== expected) {
      return this.fail('not-well-formed', `end tag </${shown(name)}> does not match <${shown(expected)}>`)
    }
    const el = this.elements.pop()!
    this.names.pop()
    this.leaveScope(this.scopes.pop() ?? null)
    if (depth === 1) return this.completeTopLevel(s, i, el)
    this.enterText(i + 1)
    return i + 1
  }

  private endStream(): void {
    this.budgetLimit = -1
    this.state = DONE
    this.handlers.onStreamEnd()
  }
}

/** Pseudo-attributes of an XML declaration body (XML 1.0 §2.8), in the required order; null if malformed. */
function parseDeclaration(body: string): { version?: string; encoding?: string; standalone?: string } | null {
  const order = ['version', 'encoding', 'standalone'] as const
  const fields: { version?: string; encoding?: string; standalone?: string } = {}
  let next = 0 // index into order of the earliest field still allowed
  let i = 0
  const n = body.length
  const skipSpace = () => {
    const start = i
    while (i < n && isSpace(body.charCodeAt(i))) i++
    return i > start
  }
  for (;;) {
    const spaced = skipSpace()
    if (i === n) break
    if (!spaced) return null
    const nameStart = i
    while (i < n && body.charCodeAt(i) >= 0x61 && body.charCodeAt(i) <= 0x7a) i++
    const field = order.indexOf(body.slice(nameStart, i) as (typeof order)[number])
    if (field < next || (fields.version === undefined && field !== 0)) return null
    skipSpace()
    if (body.charCodeAt(i) !== EQ) return null
    i++
    skipSpace()
    const quote = body.charCodeAt(i)
    if (quote !== QUOT && quote !== APOS) return null
    const end = body.indexOf(quote === QUOT ? '"' : "'", i + 1)
    if (end === -1) return null
    fields[order[field]!] = body.slice(i + 1, end)
    i = end + 1
    next = field + 1
  }
  if (fields.encoding !== undefined && !/^[A-Za-z][A-Za-z0-9._-]*$/.test(fields.encoding)) return null
  if (fields.standalone !== undefined && fields.standalone !== 'yes' && fields.standalone !== 'no')
    return null
  return fields
}
