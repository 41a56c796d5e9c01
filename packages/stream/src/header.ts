import { NS } from './namespaces.js'
import type { StreamHeader } from './xml/index.js'

/** RFC 6120 §4.7: the attributes we write on our own stream header. */
export interface HeaderFields {
  from?: string | undefined
  to?: string | undefined
  id?: string | undefined
}

/**
 * Our opening `<stream:stream>` tag. It is written by hand because it stays open
 * for the life of the stream; every attribute value is escaped.
 */
export function openingHeader(fields: HeaderFields): string {
  let attrs = `xmlns='${NS.server}' xmlns:stream='${NS.stream}' xmlns:db='${NS.dialback}' version='1.0'`
  if (fields.from) attrs += ` from='${escapeAttribute(fields.from)}'`
  if (fields.to) attrs += ` to='${escapeAttribute(fields.to)}'`
  if (fields.id) attrs += ` id='${escapeAttribute(fields.id)}'`
  return `<?xml version='1.0'?><stream:stream ${attrs}>`
}

export const CLOSING_TAG = '</stream:stream>'

/** The peer's stream header, read and checked (RFC 6120 §4.7). */
export interface PeerHeader {
  from: string | undefined
  to: string | undefined
  id: string | undefined
  /** [major, minor], or undefined for a pre-1.0 peer (no version attribute): no stream features. */
  version: readonly [number, number] | undefined
  /** The peer declared the dialback namespace (XEP-0220 §2.1 requires it for dialback). */
  dialback: boolean
}

/**
 * Checks what RFC 6120 §4.8 requires of a peer's header, returning the stream
 * error condition to close with, or the fields we need.
 */
export function readPeerHeader(
  header: StreamHeader,
): PeerHeader | { error: 'invalid-namespace' | 'unsupported-version' | 'bad-format' } {
  if (header.namespaces[''] !== NS.server) return { error: 'invalid-namespace' }
  const version = parseVersion(header.attrs.version)
  if (version === null) return { error: 'bad-format' }
  if (version && version[0] > 1) return { error: 'unsupported-version' }
  const dialback = Object.values(header.namespaces).includes(NS.dialback)
  return { from: header.attrs.from, to: header.attrs.to, id: header.attrs.id, version, dialback }
}

function parseVersion(value: string | undefined): readonly [number, number] | undefined | null {
  if (value === undefined) return undefined
  const match = /^(\d{1,4})\.(\d{1,4})$/.exec(value)
  if (!match) return null
  return [Number(match[1]), Number(match[2])]
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>'"]/g, (c) => `&#${c.charCodeAt(0)};`)
}
