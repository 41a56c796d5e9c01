import { setImmediate as tick } from 'node:timers/promises'
import { type HostilePeer, peerHeader, STARTTLS } from './hostile-peer.js'

/**
 * Writes the chunks; before each stream restart in them (an XML declaration
 * after the first), waits for the server's answer to what came before, as a
 * peer waits for `<success/>` before its new header (RFC 6120 §6.4.6). Bytes
 * pipelined behind `<auth/>` are dropped by the restart, which is right but
 * would keep the fuzzer from ever reaching the stanzas behind it.
 */
export async function writeAsPeer(peer: HostilePeer, chunks: readonly Uint8Array[]): Promise<void> {
  const bytes = Buffer.concat(chunks)
  const restarts = new Set<number>()
  for (let at = bytes.indexOf('<?xml', 1); at !== -1; at = bytes.indexOf('<?xml', at + 1)) restarts.add(at)
  let offset = 0
  for (const chunk of chunks) {
    const pieces: Uint8Array[] = []
    let from = 0
    for (const at of restarts) {
      if (at > offset + from && at < offset + chunk.length) {
        pieces.push(chunk.subarray(from, at - offset))
        from = at - offset
      }
    }
    pieces.push(chunk.subarray(from))
    for (const piece of pieces) {
      if (restarts.has(offset)) {
        const seen = peer.text().length
        await peer.waitFor((received) => received.length > seen, 200)
      }
      if (!peer.write(piece)) return
      offset += piece.length
      await tick()
    }
  }
}

/** A real STARTTLS with a certificate for the domains the input claims, as a legitimate peer would do it. */
export async function startTls(
  peer: HostilePeer,
  chunks: readonly Uint8Array[],
  cert: { chainPem: string; keyPem: string },
  problems: string[],
): Promise<boolean> {
  const head = Buffer.concat(chunks.slice(0, 4)).subarray(0, 2048).toString('latin1')
  const from = /\sfrom=['"]([a-z0-9.-]+)['"]/.exec(head)?.[1] ?? 'a.test'
  const to = /\sto=['"]([a-z0-9.-]+)['"]/.exec(head)?.[1] ?? 'c.test'
  peer.write(peerHeader(from, to) + STARTTLS)
  if (!(await peer.waitFor('<proceed', 3000))) {
    // A header the listener refuses (an unknown `to`) is a fine outcome, not a harness failure.
    if (!peer.text().includes('</stream:stream>')) problems.push('no <proceed/> to a valid STARTTLS')
    return false
  }
  return peer.startTls(to, cert)
}
