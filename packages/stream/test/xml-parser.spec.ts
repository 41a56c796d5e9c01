import { Element, equal } from 'ltx'
import { describe, expect, it } from 'vitest'
import type { StreamError } from '../src/errors.js'
import { NS } from '../src/namespaces.js'
import {
  type StreamHeader,
  serialize,
  XmlStreamParser,
  type XmlStreamParserOptions,
} from '../src/xml/index.js'

const HEADER =
  "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'" +
  " xmlns:db='jabber:server:dialback' to='b.example' from='a.example' version='1.0'>"

/** A parser whose events are recorded; every write is asserted not to throw. */
function harness(options?: XmlStreamParserOptions) {
  const headers: StreamHeader[] = []
  const elements: Element[] = []
  const errors: StreamError[] = []
  const log: string[] = []
  let ended = 0
  const parser = new XmlStreamParser(
    {
      onStreamStart: (header) => {
        headers.push(header)
        log.push('start')
      },
      onElement: (el) => {
        elements.push(el)
        log.push('element')
      },
      onStreamEnd: () => {
        ended++
        log.push('end')
      },
      onError: (err) => {
        errors.push(err)
        log.push('error')
      },
    },
    options,
  )
  const write = (data: string | Uint8Array) => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    expect(() => parser.write(bytes)).not.toThrow()
  }
  return {
    parser,
    headers,
    elements,
    errors,
    log,
    write,
    get ended() {
      return ended
    },
  }
}

/** Parses a complete stream body after HEADER, in one chunk. */
function parse(body: string, options?: XmlStreamParserOptions) {
  const h = harness(options)
  h.write(HEADER + body)
  return h
}

/** The only error, which must have been raised exactly once. */
function theError(h: { errors: StreamError[] }): StreamError {
  expect(h.errors).toHaveLength(1)
  return h.errors[0]!
}

function expectCondition(body: string, condition: string) {
  const h = parse(body)
  expect(theError(h).condition).toBe(condition)
  expect(h.parser.failed).toBe(true)
  return h
}

describe('stream header', () => {
  it('reports the name, attributes and namespaces as written', () => {
    const h = parse('')
    expect(h.errors).toEqual([])
    expect(h.headers).toHaveLength(1)
    const header = h.headers[0]!
    expect(header.name).toBe('stream:stream')
    expect(header.attrs).toEqual({
      xmlns: 'jabber:server',
      'xmlns:stream': NS.stream,
      'xmlns:db': NS.dialback,
      to: 'b.example',
      from: 'a.example',
      version: '1.0',
    })
    expect(header.namespaces).toEqual({ '': 'jabber:server', stream: NS.stream, db: NS.dialback })
  })

  it('accepts an XML declaration before the header, in either case of UTF-8', () => {
    for (const decl of [
      "<?xml version='1.0'?>",
      '<?xml version="1.0" encoding="utf-8"?>',
      "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
    ]) {
      const h = harness()
      h.write(decl + HEADER)
      expect(h.errors).toEqual([])
      expect(h.headers).toHaveLength(1)
    }
  })

  it('ignores a leading byte order mark', () => {
    const h = harness()
    h.write(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version='1.0'?>${HEADER}`)]))
    expect(h.errors).toEqual([])
    expect(h.headers).toHaveLength(1)
  })

  it('rejects an encoding other than UTF-8 with unsupported-encoding', () => {
    const h = harness()
    h.write(`<?xml version='1.0' encoding='ISO-8859-1'?>${HEADER}`)
    expect(theError(h).condition).toBe('unsupported-encoding')
    expect(h.headers).toEqual([])
  })

  it('rejects a malformed XML declaration with not-well-formed', () => {
    for (const decl of [
      '<?xml?>',
      "<?xml encoding='UTF-8'?>",
      "<?xml version='2.0'?>",
      "<?xml version='1.0'encoding='UTF-8'?>",
      "<?xml version='1.0' foo='bar'?>",
    ]) {
      const h = harness()
      h.write(decl + HEADER)
      expect(theError(h).condition, decl).toBe('not-well-formed')
    }
  })

  it('allows the XML declaration only once, before the header', () => {
    const twice = harness()
    twice.write(`<?xml version='1.0'?><?xml version='1.0'?>${HEADER}`)
    expect(theError(twice).condition).toBe('restricted-xml')
    expect(expectCondition("<?xml version='1.0'?>", 'restricted-xml').headers).toHaveLength(1)
  })

  it('accepts the stream namespace under any prefix, or as the default namespace', () => {
    for (const header of [
      `<stream xmlns='${NS.stream}'>`,
      `<s:stream xmlns:s='${NS.stream}' xmlns='jabber:server'>`,
    ]) {
      const h = harness()
      h.write(header)
      expect(h.errors).toEqual([])
      expect(h.headers[0]!.name).toBe(header.slice(1, header.indexOf(' ')))
    }
  })

  it('rejects a root that is not <stream> in the stream namespace with invalid-namespace', () => {
    for (const header of [
      "<stream:stream xmlns:stream='http://example.com/streams'>",
      `<stream:foo xmlns:stream='${NS.stream}'>`,
      "<stream xmlns='jabber:server'>",
      '<stream>',
    ]) {
      const h = harness()
      h.write(header)
      expect(theError(h).condition, header).toBe('invalid-namespace')
      expect(h.headers).toEqual([])
    }
  })

  it('rejects an unbound prefix on the root with not-well-formed', () => {
    const h = harness()
    h.write("<stream:stream xmlns='jabber:server'>")
    expect(theError(h).condition).toBe('not-well-formed')
  })

  it('rejects text before the header with not-well-formed', () => {
    const h = harness()
    h.write(`hello${HEADER}`)
    expect(theError(h).condition).toBe('not-well-formed')
  })
})

describe('self-contained top-level elements', () => {
  it('emits <db:result> as <result> in the dialback namespace', () => {
    const h = parse("<db:result from='a.example' to='b.example'>key</db:result>")
    expect(h.errors).toEqual([])
    const el = h.elements[0]!
    expect(el.name).toBe('result')
    expect(el.attrs.xmlns).toBe(NS.dialback)
    expect(el.attrs.from).toBe('a.example')
    expect(el.getText()).toBe('key')
    expect(el.parent).toBeNull()
  })

  it('emits <stream:features> and <stream:error> in the stream namespace, children keeping theirs', () => {
    const h = parse(
      `<stream:features><starttls xmlns='${NS.tls}'><required/></starttls><bind/></stream:features>` +
        `<stream:error><host-unknown xmlns='${NS.streams}'/></stream:error>`,
    )
    expect(h.errors).toEqual([])
    const [features, error] = h.elements
    expect(features!.name).toBe('features')
    expect(features!.attrs.xmlns).toBe(NS.stream)
    expect(features!.getChild('starttls')!.getNS()).toBe(NS.tls)
    expect(features!.getChild('starttls')!.getChild('required')!.getNS()).toBe(NS.tls)
    // <bind/> inherited jabber:server from the root; renaming <features> must not move it.
    expect(features!.getChild('bind')!.attrs.xmlns).toBe('jabber:server')
    expect(error!.name).toBe('error')
    expect(error!.attrs.xmlns).toBe(NS.stream)
    expect(error!.getChild('host-unknown')!.getNS()).toBe(NS.streams)
  })

  it('gives elements in the inherited default namespace an explicit xmlns', () => {
    const h = parse("<message to='x@b.example'><body>hi</body></message>")
    const el = h.elements[0]!
    expect(el.name).toBe('message')
    expect(el.attrs.xmlns).toBe('jabber:server')
    expect(el.getChild('body')!.attrs.xmlns).toBeUndefined()
    expect(el.getChild('body')!.getNS()).toBe('jabber:server')
  })

  it("keeps an element's own xmlns", () => {
    const h = parse(`<db:verify xmlns:db='${NS.dialback}' id='1'/><iq xmlns='jabber:client'/>`)
    expect(h.elements[0]!.name).toBe('verify')
    expect(h.elements[0]!.attrs.xmlns).toBe(NS.dialback)
    expect(h.elements[1]!.attrs.xmlns).toBe('jabber:client')
  })

  it('declares on the top-level element any header prefix its descendants or attributes use', () => {
    const h = parse("<message db:flag='1'><x><db:thing/></x></message>")
    expect(h.errors).toEqual([])
    const el = h.elements[0]!
    expect(el.attrs['xmlns:db']).toBe(NS.dialback)
    const thing = el.getChild('x')!.getChild('thing')!
    expect(thing.name).toBe('db:thing')
    expect(thing.getNS()).toBe(NS.dialback)
    // Serialized alone, the element means the same thing.
    const again = parse(serialize(el)).elements[0]!
    expect(equal(again, el)).toBe(true)
  })

  it('restores the original default namespace under a renamed element that overrode xmlns', () => {
    const h = parse("<db:result xmlns='urn:other'><inner/></db:result>")
    const el = h.elements[0]!
    expect(el.attrs.xmlns).toBe(NS.dialback)
    expect(el.getChild('inner')!.getNS()).toBe('urn:other')
  })

  it('rejects unbound prefixes on elements and attributes with not-well-formed', () => {
    expectCondition('<foo:bar/>', 'not-well-formed')
    expectCondition("<message foo:bar='1'/>", 'not-well-formed')
    expectCondition('<message><foo:bar/></message>', 'not-well-formed')
  })

  it('scopes declarations to their element', () => {
    expectCondition("<message><x xmlns:p='urn:p'/><p:y/></message>", 'not-well-formed')
    expect(parse("<message><x xmlns:p='urn:p'><p:y/></x></message>").errors).toEqual([])
  })

  it('accepts the xml prefix without a declaration and rejects misuse of xml and xmlns', () => {
    expect(parse("<message xml:lang='en'/>").elements[0]!.attrs['xml:lang']).toBe('en')
    expectCondition("<message xmlns:p=''/>", 'not-well-formed')
    expectCondition("<message xmlns:xml='urn:x'/>", 'not-well-formed')
    expectCondition(`<message xmlns:x='${NS.xml}'/>`, 'not-well-formed')
    expectCondition("<message xmlns:xmlns='urn:x'/>", 'not-well-formed')
    expectCondition("<xmlns:message xmlns:a='urn:a'/>", 'not-well-formed')
  })

  it('rejects two attributes with the same expanded name', () => {
    expectCondition("<message xmlns:a='urn:x' xmlns:b='urn:x' a:k='1' b:k='2'/>", 'not-well-formed')
  })
})

describe('namespace scope', () => {
  // Attributes `a:k` and `b:k` clash exactly when prefixes a and b resolve to one URI (§6.3):
  // a probe of what each prefix is bound to at that point.
  const clash = "<z a:k='1' b:k='2'/>"

  it('resolves a prefix redeclared on an inner element to the inner URI', () => {
    const outer = "xmlns:a='urn:1' xmlns:b='urn:2'"
    expectCondition(`<message ${outer}><x xmlns:a='urn:2'>${clash}</x></message>`, 'not-well-formed')
    expect(parse(`<message ${outer}>${clash}</message>`).errors).toEqual([])
  })

  it('restores the outer URI when the redeclaring element closes, self-closing or not', () => {
    const outer = "xmlns:a='urn:1' xmlns:b='urn:1'"
    expect(parse(`<message ${outer}><x xmlns:a='urn:2'>${clash}</x></message>`).errors).toEqual([])
    expectCondition(`<message ${outer}><x xmlns:a='urn:2'></x>${clash}</message>`, 'not-well-formed')
    expectCondition(`<message ${outer}><x xmlns:a='urn:2'/>${clash}</message>`, 'not-well-formed')
  })

  it('restores a header prefix after a stanza redeclared it', () => {
    const h = parse(
      "<db:result xmlns:db='urn:other'/><db:result xmlns:db='urn:other'><db:x/></db:result><db:result/>",
    )
    expect(h.errors).toEqual([])
    expect(h.elements.map((el) => el.attrs.xmlns)).toEqual(['urn:other', 'urn:other', NS.dialback])
  })

  it("declares the header's binding on the top-level element only where an inner one no longer hides it", () => {
    const hidden = parse("<message><x xmlns:db='urn:inner'><db:a/></x></message>").elements[0]!
    expect(hidden.attrs['xmlns:db']).toBeUndefined()
    const h = parse("<message><x xmlns:db='urn:inner'><db:a/></x><db:b/></message>")
    expect(h.errors).toEqual([])
    const el = h.elements[0]!
    expect(el.attrs['xmlns:db']).toBe(NS.dialback)
    expect(el.getChild('x')!.getChild('a')!.getNS()).toBe('urn:inner')
    expect(el.getChild('b')!.getNS()).toBe(NS.dialback)
  })

  it('restores the default namespace when the element that redeclared it closes', () => {
    const h = parse("<message xmlns='urn:a'/><message xmlns='urn:a'><x/></message><message/>")
    expect(h.elements.map((el) => el.attrs.xmlns)).toEqual(['urn:a', 'urn:a', 'jabber:server'])
    // Under a renamed element, unprefixed descendants get the inherited default spelled out:
    // <y/> sits in urn:inner, <z/> after </x> in the header's jabber:server again.
    const result = parse("<db:result><x xmlns='urn:inner'><y/></x><z/></db:result>").elements[0]!
    expect(result.getChild('x')!.getChild('y')!.attrs.xmlns).toBeUndefined()
    expect(result.getChild('x')!.getChild('y')!.getNS()).toBe('urn:inner')
    expect(result.getChild('z')!.attrs.xmlns).toBe('jabber:server')
  })

  it('leaves no binding in scope after a stanza that declared thousands', () => {
    let open = ''
    let close = ''
    for (let level = 0; level < 63; level++) {
      let declarations = ''
      for (let p = 0; p < 64; p++) declarations += ` xmlns:p${p}='urn:${level}:${p}'`
      open += `<e${declarations}>`
      close = `</e>${close}`
    }
    const h = parse(`${open}<p5:a/>${close}`)
    expect(h.errors).toEqual([])
    expect(h.elements).toHaveLength(1)
    expectCondition(`${open}${close}<p5:a/>`, 'not-well-formed')
  })

  it("forgets the old stream header's bindings after reset()", () => {
    const h = parse('<db:result/>')
    h.parser.reset()
    h.write(`<stream:stream xmlns='jabber:server' xmlns:stream='${NS.stream}'><db:result/>`)
    expect(h.headers[1]!.namespaces).toEqual({ '': 'jabber:server', stream: NS.stream })
    expect(theError(h).condition).toBe('not-well-formed')
  })
})

describe('content', () => {
  it('decodes the predefined entities and character references in text and attributes', () => {
    const h = parse(
      "<message to='a&amp;b&lt;&gt;&quot;&apos;&#65;&#x1F600;'><body>&lt;b&gt; &amp; &quot;&apos; &#233;&#x1f600;</body></message>",
    )
    expect(h.errors).toEqual([])
    const el = h.elements[0]!
    expect(el.attrs.to).toBe('a&b<>"\'A😀')
    expect(el.getChildText('body')).toBe('<b> & "\' é😀')
  })

  it('merges one run of text, references and CDATA into one text node', () => {
    const h = parse('<message><body>a &amp; <![CDATA[<b> & ]]]]>c<![CDATA[]]>d</body></message>')
    expect(h.errors).toEqual([])
    expect(h.elements[0]!.getChild('body')!.children).toEqual(['a & <b> & ]]cd'])
  })

  it('keeps whitespace text inside stanzas and drops keepalive whitespace between them', () => {
    const h = parse('\n \t<message>\n  <body> x </body>\n</message>\r\n  <presence/>  ')
    expect(h.errors).toEqual([])
    expect(h.elements.map((el) => el.name)).toEqual(['message', 'presence'])
    expect(h.elements[0]!.children[0]).toBe('\n  ')
    expect(h.elements[0]!.getChildText('body')).toBe(' x ')
  })

  it('normalises line ends in text (XML 1.0 §2.11), also when CRLF is cut between chunks', () => {
    const h = harness()
    h.write(`${HEADER}<message><body>a\r\nb\rc`)
    h.write('\r')
    h.write('\nd&#13;e</body></message>')
    expect(h.errors).toEqual([])
    expect(h.elements[0]!.getChildText('body')).toBe('a\nb\nc\nd\re')
  })

  it('normalises literal tab, CR and LF in attribute values to spaces (XML 1.0 §3.3.3)', () => {
    const h = parse("<message id='a\tb\r\nc\nd&#10;e&#9;'/>")
    expect(h.elements[0]!.attrs.id).toBe('a b c d\ne\t')
  })

  it('preserves attributes whose names are Object.prototype members', () => {
    const h = parse("<message constructor='1' toString='2' __proto__='3' hasOwnProperty='4'/>")
    expect(h.errors).toEqual([])
    const attrs = h.elements[0]!.attrs
    expect(Object.hasOwn(attrs, '__proto__')).toBe(true)
    expect(attrs.constructor).toBe('1')
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype)
    expect(h.elements[0]!.toString()).toContain('__proto__="3"')
  })

  it('round-trips a message with nested children, attributes and entities', () => {
    const source =
      "<message from='juliet@a.example/balcony' to='romeo@b.example' type='chat' id='m&amp;1' xml:lang='en'>" +
      '<body>Wherefore &lt;art&gt; thou &amp; \'why\' "not" é 中文 😀</body>' +
      "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>" +
      "<p style='font-weight:bold'>hi <em>there</em>!</p></body></html>" +
      "<thread parent='e0ffe42b28561960c6b12b944a092794b9683a38'>0e3141cd80894871a68e6fe6b1ec56fa</thread>" +
      '<active xmlns="http://jabber.org/protocol/chatstates"/></message>'
    const first = parse(source)
    expect(first.errors).toEqual([])
    const el = first.elements[0]!
    const second = parse(serialize(el))
    expect(second.errors).toEqual([])
    expect(equal(second.elements[0]!, el)).toBe(true)
    expect(serialize(second.elements[0]!)).toBe(serialize(el))
    expect(el.getChild('html')!.getChild('body')!.getChild('p')!.getChildText('em')).toBe('there')
  })

  it('accepts names with non-ASCII letters, digits, dots, dashes and underscores', () => {
    const h = parse("<message><été-1.x_y ключ='v'/><中文/></message>")
    expect(h.errors).toEqual([])
    expect(h.elements[0]!.getChildElements().map((el) => el.name)).toEqual(['été-1.x_y', '中文'])
  })
})

describe('rejected input', () => {
  it('&bogus; is restricted-xml (undeclared entity), without throwing', () => {
    expectCondition('<message><body>&bogus;</body></message>', 'restricted-xml')
    expectCondition("<message to='&bogus;'/>", 'restricted-xml')
  })

  it('character references to non-characters are not-well-formed', () => {
    for (const ref of ['&#0;', '&#x0;', '&#xD800;', '&#xDFFF;', '&#xFFFE;', '&#x110000;', '&#1;', '&#x1B;']) {
      expectCondition(`<message><body>${ref}</body></message>`, 'not-well-formed')
    }
  })

  it('malformed, unterminated or overlong references are not-well-formed', () => {
    for (const body of [
      '&#;',
      '&#x;',
      '&#X41;',
      '&#12a;',
      '&amp',
      '&amp </body>',
      '&;',
      '& ',
      '&#x00000000000041;',
      '&aaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ]) {
      expectCondition(`<message><body>${body}</body></message>`, 'not-well-formed')
    }
  })

  it('a bare & or < in text or attribute values is not-well-formed', () => {
    expectCondition('<message><body>a & b</body></message>', 'not-well-formed')
    expectCondition("<message to='a & b'/>", 'not-well-formed')
    expectCondition("<message to='a<b'/>", 'not-well-formed')
    expectCondition('<message><body>a < b</body></message>', 'not-well-formed')
  })

  it("']]>' in character data is not-well-formed, also across chunks", () => {
    expectCondition('<message><body>a]]>b</body></message>', 'not-well-formed')
    const h = harness()
    h.write(`${HEADER}<message><body>a]`)
    h.write(']')
    h.write('>b</body></message>')
    expect(theError(h).condition).toBe('not-well-formed')
    expect(parse('<message><body>a]]&gt;]>]&#93;>&#93;]></body></message>').errors).toEqual([])
  })

  it('DOCTYPE is restricted-xml, before the header and inside the stream', () => {
    const before = harness()
    before.write(`<?xml version='1.0'?><!DOCTYPE stream:stream>${HEADER}`)
    expect(theError(before).condition).toBe('restricted-xml')
    expect(before.headers).toEqual([])
    expectCondition('<!DOCTYPE message>', 'restricted-xml')
  })

  it('an entity bomb (billion laughs) is restricted-xml before any expansion', () => {
    const lol = ['<!DOCTYPE lolz [', '<!ENTITY lol "lol">']
    for (let k = 1; k <= 9; k++) lol.push(`<!ENTITY lol${k} "${`&lol${k - 1 || ''};`.repeat(10)}">`)
    lol.push(']>')
    const h = harness()
    h.write(`${lol.join('\n')}\n${HEADER}<message><body>&lol9;</body></message>`)
    expect(theError(h).condition).toBe('restricted-xml')
    expect(h.elements).toEqual([])
  })

  it('an external entity (SYSTEM) is restricted-xml', () => {
    const h = harness()
    h.write(
      `<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>${HEADER}<message><body>&xxe;</body></message>`,
    )
    expect(theError(h).condition).toBe('restricted-xml')
    // Without the DTD the reference itself is still refused.
    expectCondition('<message><body>&xxe;</body></message>', 'restricted-xml')
  })

  it('comments are restricted-xml wherever they appear', () => {
    const before = harness()
    before.write(`<!-- hi -->${HEADER}`)
    expect(theError(before).condition).toBe('restricted-xml')
    expectCondition('<!-- keepalive? -->', 'restricted-xml')
    expectCondition('<message><!-- x --></message>', 'restricted-xml')
  })

  it('processing instructions are restricted-xml wherever they appear', () => {
    const before = harness()
    before.write(`<?xml-stylesheet href='x'?>${HEADER}`)
    expect(theError(before).condition).toBe('restricted-xml')
    const beforeDecl = harness()
    beforeDecl.write(`<?foo bar?><?xml version='1.0'?>${HEADER}`)
    expect(theError(beforeDecl).condition).toBe('restricted-xml')
    expectCondition('<?foo bar?>', 'restricted-xml')
    expectCondition('<message><?php echo 1 ?></message>', 'restricted-xml')
  })

  it('other <! markup is restricted-xml; misplaced CDATA is not-well-formed', () => {
    expectCondition('<message><!ELEMENT x ANY></message>', 'restricted-xml')
    expectCondition('<![CDATA[x]]>', 'not-well-formed')
    expectCondition('<message><![CDAT[x]]></message>', 'not-well-formed')
  })

  it('control characters in text, attribute values and tags are not-well-formed', () => {
    for (const c of [
      '\u0000',
      '\u0001',
      '\u0008',
      '\u000b',
      '\u000c',
      '\u000e',
      '\u001b',
      '\u001f',
      '\ufffe',
      '\uffff',
    ]) {
      const code = c.charCodeAt(0).toString(16)
      expect(
        expectCondition(`<message><body>a${c}b</body></message>`, 'not-well-formed').elements,
        code,
      ).toEqual([])
      expectCondition(`<message to='a${c}b'/>`, 'not-well-formed')
      expectCondition(`<message${c}to='a'/>`, 'not-well-formed')
      expectCondition(`<message><![CDATA[${c}]]></message>`, 'not-well-formed')
      expectCondition(`${c}<message/>`, 'not-well-formed')
    }
  })

  it('unquoted, valueless, duplicate or unseparated attributes are not-well-formed', () => {
    expectCondition('<message to=a/>', 'not-well-formed')
    expectCondition('<message to/>', 'not-well-formed')
    expectCondition("<message to='a' to='b'/>", 'not-well-formed')
    expectCondition("<message to='a'from='b'/>", 'not-well-formed')
    // A mismatched quote leaves the value open until the next '<', which values may not hold.
    expectCondition('<message to=\'a"/><presence/>', 'not-well-formed')
  })

  it('invalid names are not-well-formed', () => {
    for (const tag of [
      '<1message/>',
      '<-a/>',
      '<a:b:c/>',
      '<:a/>',
      '<a:/>',
      '< message/>',
      '<message 1a="x"/>',
      '<mes\u00d7sage/>',
    ]) {
      expectCondition(tag, 'not-well-formed')
    }
  })

  it('a mismatched end tag is not-well-formed', () => {
    expectCondition('<message><body></message></body>', 'not-well-formed')
    expectCondition('<message></messagex>', 'not-well-formed')
    expectCondition('<db:result></result>', 'not-well-formed')
  })

  it('a stray end tag at stream level is not-well-formed', () => {
    expectCondition('<message/></message>', 'not-well-formed')
    expectCondition('</stream>', 'not-well-formed')
    const before = harness()
    before.write('</stream:stream>')
    expect(theError(before).condition).toBe('not-well-formed')
  })

  it('text at stream level is not-well-formed', () => {
    expectCondition('<message/>hello<message/>', 'not-well-formed')
    expectCondition('&amp;', 'not-well-formed')
    expectCondition('>', 'not-well-formed')
  })
})

describe('UTF-8', () => {
  for (const char of ['é', '中', '😀']) {
    it(`parses '${char}' cut at every byte offset, in text and in an attribute`, () => {
      const stanza = Buffer.from(`<message to='${char}x${char}'><body>${char}${char}</body></message>`)
      for (let cut = 1; cut < stanza.length; cut++) {
        const h = harness()
        h.write(HEADER)
        h.write(stanza.subarray(0, cut))
        h.write(stanza.subarray(cut))
        expect(h.errors).toEqual([])
        expect(h.elements[0]!.attrs.to).toBe(`${char}x${char}`)
        expect(h.elements[0]!.getChildText('body')).toBe(char + char)
      }
    })
  }

  it('parses a stanza fed one byte at a time', () => {
    const h = harness()
    const bytes = Buffer.from(
      `${HEADER}<message to='é'><body>a &amp; 😀 <![CDATA[x]]]]><![CDATA[>]]>\r\n</body><db:x/></message></stream:stream>`,
    )
    for (const byte of bytes) h.write(Uint8Array.of(byte))
    expect(h.errors).toEqual([])
    expect(h.elements).toHaveLength(1)
    expect(h.elements[0]!.getChildText('body')).toBe('a & 😀 x]]>\n')
    expect(h.elements[0]!.getChild('x')!.getNS()).toBe(NS.dialback)
    expect(h.ended).toBe(1)
  })

  it('rejects invalid UTF-8 with not-well-formed', () => {
    const invalid = [
      [0xff],
      [0xc3, 0x28], // truncated two-byte sequence
      [0xc0, 0xaf], // overlong '/'
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
    ]
    for (const bytes of invalid) {
      const h = harness()
      h.write(`${HEADER}<message><body>`)
      h.write(Uint8Array.from(bytes))
      h.write('</body></message>')
      expect(theError(h).condition).toBe('not-well-formed')
      expect(h.errors[0]!.text).toMatch(/UTF-8/)
      expect(h.elements).toEqual([])
    }
  })
})

describe('chunking', () => {
  it('emits many stanzas from one chunk, in order', () => {
    const stanzas = Array.from({ length: 500 }, (_, k) => `<message id='m${k}'><body>${k}</body></message>`)
    const h = parse(stanzas.join(' '))
    expect(h.errors).toEqual([])
    expect(h.elements.map((el) => el.attrs.id)).toEqual(stanzas.map((_, k) => `m${k}`))
  })

  it('gives the same elements for every two-way split of a stream', () => {
    const stream = Buffer.from(
      `${HEADER}<message to='a&amp;b'><body>x&#x1F600;<![CDATA[]]]]>y\r\n</body></message><db:result>k</db:result></stream:stream>`,
    )
    const whole = harness()
    whole.write(stream)
    const expected = whole.elements.map((el) => el.toString())
    for (let cut = 1; cut < stream.length; cut++) {
      const h = harness()
      h.write(stream.subarray(0, cut))
      h.write(stream.subarray(cut))
      expect(h.errors).toEqual([])
      expect(h.elements.map((el) => el.toString())).toEqual(expected)
      expect(h.ended).toBe(1)
    }
  })
})

describe('lifecycle', () => {
  it('reports </stream:stream> and ignores what follows', () => {
    const h = parse('<message/></stream:stream><message/>garbage &bogus; <!--')
    expect(h.errors).toEqual([])
    expect(h.elements).toHaveLength(1)
    expect(h.ended).toBe(1)
    h.write('<more/>')
    expect(h.log).toEqual(['start', 'element', 'end'])
  })

  it('matches the stream end tag by the name as written', () => {
    const h = harness()
    h.write(`<s:stream xmlns:s='${NS.stream}' xmlns='jabber:server'><message/></s:stream>`)
    expect(h.ended).toBe(1)
    expectCondition('</stream>', 'not-well-formed')
  })

  it('treats a self-closing root as an empty stream', () => {
    const h = harness()
    h.write(`<stream:stream xmlns:stream='${NS.stream}'/>`)
    expect(h.log).toEqual(['start', 'end'])
  })

  it('parses a second header after reset(), with a fresh XML declaration allowed', () => {
    const h = parse('<message/>')
    h.parser.reset()
    h.write(`<?xml version='1.0'?>${HEADER.replace("to='b.example'", "to='c.example'")}<message id='2'/>`)
    expect(h.errors).toEqual([])
    expect(h.headers.map((header) => header.attrs.to)).toEqual(['b.example', 'c.example'])
    expect(h.elements.map((el) => el.attrs.id)).toEqual([undefined, '2'])
  })

  it('drops an unfinished stanza and a split UTF-8 character on reset()', () => {
    const h = parse('<message><body>')
    h.write(Uint8Array.of(0xc3))
    h.parser.reset()
    h.write(`${HEADER}<presence/>`)
    expect(h.errors).toEqual([])
    expect(h.elements.map((el) => el.name)).toEqual(['presence'])
  })

  it('drops the rest of a write when a handler resets (no plaintext after <proceed/>)', () => {
    let parser: XmlStreamParser | undefined
    const elements: string[] = []
    const errors: StreamError[] = []
    parser = new XmlStreamParser({
      onStreamStart() {},
      onElement(el) {
        elements.push(el.name)
        if (el.name === 'proceed') parser!.reset()
      },
      onStreamEnd() {},
      onError: (err) => errors.push(err),
    })
    parser.write(Buffer.from(`${HEADER}<proceed xmlns='${NS.tls}'/><message id='injected'/>`))
    expect(elements).toEqual(['proceed'])
    parser.write(Buffer.from(`${HEADER}<message id='after'/>`))
    expect(elements).toEqual(['proceed', 'message'])
    expect(errors).toEqual([])
  })

  it('keeps a failed parser failed across reset()', () => {
    const h = parse('<message>&bogus;</message>')
    expect(h.parser.failed).toBe(true)
    h.parser.reset()
    expect(h.parser.failed).toBe(true)
    h.write(`${HEADER}<message/>`)
    expect(h.log).toEqual(['start', 'error'])
  })

  it('calls onError exactly once and ignores later writes', () => {
    const h = parse('<message><body>&#0;</body></message><message/>')
    h.write('<message/>&bogus;<!-- -->')
    h.write(Uint8Array.of(0xff, 0xfe))
    expect(theError(h).condition).toBe('not-well-formed')
    expect(h.log).toEqual(['start', 'error'])
  })

  it('turns a throwing handler into internal-server-error instead of throwing', () => {
    const errors: StreamError[] = []
    const parser = new XmlStreamParser({
      onStreamStart() {},
      onElement() {
        throw new Error('host bug')
      },
      onStreamEnd() {},
      onError: (err) => errors.push(err),
    })
    expect(() => parser.write(Buffer.from(`${HEADER}<message/><message/>`))).not.toThrow()
    expect(errors).toHaveLength(1)
    expect(errors[0]!.condition).toBe('internal-server-error')
    expect((errors[0]!.cause as Error).message).toBe('host bug')
  })

  it('survives a throwing onError', () => {
    const parser = new XmlStreamParser({
      onStreamStart() {},
      onElement() {},
      onStreamEnd() {},
      onError() {
        throw new Error('oops')
      },
    })
    expect(() => parser.write(Buffer.from('<!DOCTYPE x>'))).not.toThrow()
    expect(parser.failed).toBe(true)
  })

  it('queues a write made from inside a handler behind the current chunk', () => {
    const seen: string[] = []
    const parser: XmlStreamParser = new XmlStreamParser({
      onStreamStart() {
        parser.write(Buffer.from("<message id='nested'/>"))
      },
      onElement: (el) => seen.push(el.attrs.id),
      onStreamEnd() {},
      onError: (err) => seen.push(err.condition),
    })
    parser.write(Buffer.from(`${HEADER}<message id='first'/>`))
    expect(seen).toEqual(['first', 'nested'])
  })

  it('builds ltx elements', () => {
    const el = parse('<message/>').elements[0]!
    expect(el).toBeInstanceOf(Element)
  })
})
