import { isIPv6 } from 'node:net'

/**
 * The key under which verifications are counted per peer: an IPv4 address as
 * is (also when written IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address by
 * its /64, since one host usually holds a whole /64 and could otherwise take
 * a fresh address for every few streams. Undefined in, undefined out.
 */
export function peerAddressKey(address: string | undefined): string | undefined {
  if (!address) return undefined
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]
  if (!isIPv6(address)) return address
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`
}

/** The eight groups of an IPv6 address, `::` filled in, zone dropped. */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  // An embedded IPv4 tail (::1.2.3.4) stands for two groups; the /64 never reaches it.
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  return groups.map((group) => (group.includes('.') ? group : Number.parseInt(group, 16).toString(16)))
}
