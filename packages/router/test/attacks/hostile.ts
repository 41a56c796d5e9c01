import type { IssuedCertificate } from '@xmpp-federation/testing'
import { connectHostile, type HostilePeer, peerHeader, STARTTLS } from '../../../stream/fuzz/hostile-peer.js'

/** The loopback address of the router's attack tests; each file has its own port. */
export const ATTACK_HOST = '127.0.0.86'

/**
 * A raw peer that does STARTTLS by the book with a valid certificate for
 * `from` and reads the features offered inside TLS; a test then writes
 * whatever a hostile server would (`externalAuth(from)` authenticates).
 */
export async function securedHostile(
  port: number,
  cert: IssuedCertificate,
  from: string,
  to: string,
): Promise<HostilePeer> {
  const peer = await connectHostile(ATTACK_HOST, port)
  peer.write(peerHeader(from, to) + STARTTLS)
  if (!(await peer.waitFor('<proceed'))) throw new Error(`no <proceed/>: ${peer.text()}`)
  if (!(await peer.startTls(to, cert))) throw new Error('TLS failed')
  peer.write(peerHeader(from, to))
  const features = () => peer.secure().toString().includes('</stream:features>')
  if (!(await peer.waitFor(/./)) || !(await waitUntil(features)))
    throw new Error(`no features: ${peer.text()}`)
  return peer
}

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    if (condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return false
}

export { externalAuth, peerHeader } from '../../../stream/fuzz/hostile-peer.js'
