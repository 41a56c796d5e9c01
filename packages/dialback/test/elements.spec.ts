import { XmlStreamParser } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import {
  dialbackFeature,
  dialbackSupport,
  parseDialback,
  resultAnswer,
  resultRequest,
  verifyAnswer,
  verifyRequest,
} from '../src/index.js'

/** What our stream parser makes of elements a peer writes after a header declaring xmlns:db. */
function received(xml: string): Element[] {
  const elements: Element[] = []
  const parser = new XmlStreamParser({
    onStreamStart: () => {},
    onElement: (el) => elements.push(el),
    onStreamEnd: () => {},
    onError: (error) => {
      throw error
    },
  })
  parser.write(
    Buffer.from(
      `<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback'>${xml}`,
    ),
  )
  return elements
}

describe('element builders (XEP-0220 §2.1, §2.2)', () => {
  it('writes requests with the db: prefix, as peers expect', () => {
    expect(resultRequest('a.test', 'b.test', 'k3y').toString()).toBe(
      `<db:result from="a.test" to="b.test">k3y</db:result>`,
    )
    expect(verifyRequest('b.test', 'a.test', 'id1', 'k3y').toString()).toBe(
      `<db:verify from="b.test" to="a.test" id="id1">k3y</db:verify>`,
    )
  })

  it('writes verdicts, and errors with a stanza error child (§2.5)', () => {
    expect(resultAnswer('b.test', 'a.test', 'valid').toString()).toBe(
      `<db:result from="b.test" to="a.test" type="valid"/>`,
    )
    expect(verifyAnswer('a.test', 'b.test', 'id1', 'invalid').toString()).toBe(
      `<db:verify from="a.test" to="b.test" id="id1" type="invalid"/>`,
    )
    expect(resultAnswer('x.test', 'a.test', 'error', { condition: 'item-not-found' }).toString()).toBe(
      `<db:result from="x.test" to="a.test" type="error"><error type="cancel">` +
        `<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></db:result>`,
    )
    const timeout = resultAnswer('b.test', 'a.test', 'error', {
      condition: 'remote-server-timeout',
      text: 'slow',
    })
    expect(timeout.getChild('error')?.attrs.type).toBe('wait')
  })

  it('advertises dialback with error support (§2.4.2)', () => {
    expect(dialbackFeature().toString()).toBe(
      `<dialback xmlns="urn:xmpp:features:dialback"><errors/></dialback>`,
    )
  })
})

describe('parseDialback', () => {
  it('reads a prefixed request, trimming the key and normalising the domains', () => {
    const [el] = received(`<db:result from='A.Test' to='b.test'>\n  abc123\n</db:result>`)
    expect(parseDialback(el!)).toEqual({
      kind: 'result',
      from: 'a.test',
      to: 'b.test',
      rawFrom: 'A.Test',
      rawTo: 'b.test',
      id: undefined,
      type: undefined,
      key: 'abc123',
      error: undefined,
    })
  })

  it('reads the condition and text of an error answer, and the same without a prefix', () => {
    const [prefixed, unprefixed] = received(
      `<db:verify from='a.test' to='b.test' id='i' type='error'><error type='cancel'>` +
        `<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>` +
        `<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>not here</text></error></db:verify>` +
        `<verify xmlns='jabber:server:dialback' from='a.test' to='b.test' id='i' type='valid'/>`,
    )
    expect(parseDialback(prefixed!)).toMatchObject({
      kind: 'verify',
      id: 'i',
      type: 'error',
      error: { condition: 'item-not-found', text: 'not here' },
    })
    expect(parseDialback(unprefixed!)).toMatchObject({ kind: 'verify', type: 'valid', error: undefined })
  })

  it('keeps invalid domains out and ignores other elements', () => {
    const [bad, other] = received(`<db:result from='a@b' to=''>k</db:result><message to='x@b.test'/>`)
    expect(parseDialback(bad!)).toMatchObject({ from: undefined, to: undefined, rawFrom: 'a@b' })
    expect(parseDialback(other!)).toBeUndefined()
  })

  it('reads our own builders back', () => {
    const [el] = received(
      resultAnswer('b.test', 'a.test', 'error', { condition: 'policy-violation' }).toString(),
    )
    expect(parseDialback(el!)?.error?.condition).toBe('policy-violation')
  })
})

describe('dialbackSupport', () => {
  const [withErrors, bare, none] = received(
    `<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback></stream:features>` +
      `<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>` +
      `<stream:features/>`,
  )
  const header = (dialback: boolean) => ({
    from: 'b.test',
    to: 'a.test',
    id: 'x',
    version: [1, 0] as const,
    dialback,
  })

  it('reads the feature (ejabberd) and the bare feature (Prosody)', () => {
    expect(dialbackSupport(withErrors, header(false))).toEqual({ dialback: true, errors: true })
    expect(dialbackSupport(bare, header(false))).toEqual({ dialback: true, errors: false })
  })

  it('falls back to the namespace declaration on the stream header (§2.4.1)', () => {
    expect(dialbackSupport(none, header(true))).toEqual({ dialback: true, errors: false })
    expect(dialbackSupport(none, header(false))).toEqual({ dialback: false, errors: false })
  })
})
