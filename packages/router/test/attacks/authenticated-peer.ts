import type { IssuedCertificate } from '@xmpp-federation/testing'
import type { HostilePeer } from '../../../stream/fuzz/hostile-peer.js'
import { externalAuth, peerHeader, securedHostile } from './hostile.js'

export const SM_ENABLE = "<enable xmlns='urn:xmpp:sm:3'/>"
export const SM_REQUEST = "<r xmlns='urn:xmpp:sm:3'/>"
export const BIDI = "<bidi xmlns='urn:xmpp:bidi'/>"

/**
 * A hostile peer that does everything right up to an authenticated stream:
 * STARTTLS, XEP-0288 (when `bidi`), SASL EXTERNAL with a valid certificate, the
 * restart, and XEP-0198 enabled. What it sends next is the attack.
 */
export async function authenticatedHostile(
  port: number,
  cert: IssuedCertificate,
  from: string,
  to: string,
  options: { bidi?: boolean; sm?: boolean } = {},
): Promise<HostilePeer> {
  const peer = await securedHostile(port, cert, from, to)
  if (options.bidi) peer.write(BIDI)
  peer.write(externalAuth(from))
  if (!(await peer.waitFor('<success'))) throw new Error(`no <success/>: ${peer.text()}`)
  const before = peer.secure().length
  peer.write(peerHeader(from, to))
  const featuresAgain = (text: string) => text.slice(before).includes('</stream:features>')
  if (!(await peer.waitFor(() => featuresAgain(peer.secure().toString()))))
    throw new Error(`no features after the restart: ${peer.text()}`)
  if (options.sm ?? true) {
    peer.write(SM_ENABLE)
    if (!(await peer.waitFor('<enabled'))) throw new Error(`no <enabled/>: ${peer.text()}`)
  }
  return peer
}
