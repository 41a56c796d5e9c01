export { findInvalidXmlChar, isXmlChar } from './chars.js'
export {
  type StreamHeader,
  XmlStreamParser,
  type XmlStreamParserHandlers,
  type XmlStreamParserOptions,
} from './parser.js'
export { assertSerializable, InvalidXmlCharError, serialize } from './serialize.js'
