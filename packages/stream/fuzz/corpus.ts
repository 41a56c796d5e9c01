import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * What one side of a real s2s exchange sent, as our end of it read it: one
 * entry per XML stream (a new stream starts after each TLS or SASL restart),
 * with the byte offsets where TCP chunks ended. Text, so a reviewer can read it.
 */
export interface Transcript {
  readonly name: string
  /** Who sent these bytes to whom, and how they were captured. */
  readonly description: string
  readonly streams: readonly RecordedStream[]
}

export interface RecordedStream {
  /** Read from inside TLS (decrypted), or in clear. */
  readonly secure: boolean
  readonly text: string
  /** Byte offsets at which the TCP reads ended. */
  readonly cuts: readonly number[]
}

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url))

export function loadCorpus(dir = CORPUS_DIR): Transcript[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as Transcript)
}

/** One byte input per recorded stream: the parser alone sees one stream at a time. */
export function parserSeeds(corpus: readonly Transcript[]): Uint8Array[] {
  return corpus.flatMap((t) => t.streams.map((s) => Buffer.from(s.text)))
}

/** Bytes a peer sends in clear to a listener without TLS (dialback transcripts). */
export function clearSeeds(corpus: readonly Transcript[]): Uint8Array[] {
  return corpus
    .filter((t) => t.name.endsWith('.in') && t.streams.every((s) => !s.secure))
    .map((t) => Buffer.from(t.streams.map((s) => s.text).join('')))
}

/** The clear-text opening of a STARTTLS exchange: what arrives before TLS. */
export function starttlsSeeds(corpus: readonly Transcript[]): Uint8Array[] {
  return corpus
    .filter((t) => t.name.endsWith('.in') && t.streams.some((s) => s.secure) && !t.streams[0]!.secure)
    .map((t) => Buffer.from(t.streams[0]!.text))
}

/** Everything a peer sends inside TLS: headers, SASL, stanzas, across restarts. */
export function secureSeeds(corpus: readonly Transcript[]): Uint8Array[] {
  return corpus
    .filter((t) => t.name.endsWith('.in') && t.streams.some((s) => s.secure))
    .map((t) =>
      Buffer.from(
        t.streams
          .filter((s) => s.secure)
          .map((s) => s.text)
          .join(''),
      ),
    )
}
