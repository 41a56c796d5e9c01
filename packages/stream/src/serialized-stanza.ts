import { type Element, parse } from 'ltx'
import { domainOfAddress } from './domain.js'
import { serialize } from './xml/index.js'

/**
 * A stanza serialized once, for a writer that holds it a while before it goes out (a link's
 * queue while the XEP-0198 window is full): one flat string instead of an element tree, and
 * no second serialization when it is written. Only {@link SerializedStanza.of} makes one, from
 * an element the serializer checked: the text is one well-formed element, and the domains it
 * is checked against on the stream are those of its own `from` and `to`.
 */
export class SerializedStanza {
  /** Set by the constructor only: `is()` tells ours from look-alikes. */
  readonly #checked = true

  private constructor(
    /** The stanza as it goes on the wire. */
    readonly text: string,
    readonly fromDomain: string | undefined,
    readonly toDomain: string | undefined,
    /** UTF-8 bytes of `text`. */
    readonly bytes: number,
  ) {}

  /** Serializes `stanza`; throws InvalidXmlCharError for a string XML cannot carry. */
  static of(stanza: Element): SerializedStanza {
    const text = serialize(stanza)
    // Counting flattens the serializer's rope: what is held is one string, not its pieces.
    const bytes = Buffer.byteLength(text)
    const { from, to } = stanza.attrs
    return new SerializedStanza(text, domainOfAddress(from ?? ''), domainOfAddress(to ?? ''), bytes)
  }

  /** Whether `value` was made by {@link SerializedStanza.of} (not merely shaped like one). */
  static is(value: unknown): value is SerializedStanza {
    return typeof value === 'object' && value !== null && #checked in value
  }

  /** The stanza as an element again (a bounce or an event needs one: not for the hot path). */
  toElement(): Element {
    return parse(this.text)
  }
}
