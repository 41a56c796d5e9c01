/**
 * ltx, as the packages load it. The bench root has no dependencies of its own, so ltx is found
 * through @xmpp-federation/stream's, and its ES module build is imported: the same module
 * instances the packages use.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

export interface LtxElement {
  name: string
  attrs: Record<string, string>
  children: (LtxElement | string)[]
  parent: LtxElement | null
  cnode(child: LtxElement): LtxElement
  t(text: string): LtxElement
  getChildText(name: string): string | null
  toString(): string
}

export interface LtxSaxParser {
  write(data: string | Buffer): void
  on(event: 'startElement', listener: (name: string, attrs: Record<string, string>) => void): this
  on(event: 'endElement', listener: (name: string) => void): this
  on(event: 'text', listener: (text: string) => void): this
  on(event: 'error', listener: (error: Error) => void): this
}

const requireFromStream = createRequire(new URL('../../packages/stream/package.json', import.meta.url))
// ltx exports no package.json: its CommonJS entry is lib/ltx.js, one level below the package.
const ltxDir = path.resolve(path.dirname(requireFromStream.resolve('ltx')), '..')
const load = (file: string) => import(pathToFileURL(path.join(ltxDir, file)).href)

export const Element: new (name: string, attrs?: Record<string, string>) => LtxElement = (
  await load('src/Element.js')
).default
/** ltx's SAX parser: the tokenizer under ltx.Parser and @xmpp/xml. */
export const SaxParser: new () => LtxSaxParser = (await load('src/parsers/ltx.js')).default
