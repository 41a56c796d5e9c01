import { readFile } from 'node:fs/promises'

// /proc/net/tcp states that mean the peer still holds its end open.
const ESTABLISHED = '01'
const CLOSE_WAIT = '08'

/**
 * Resolves once no TCP connection to or from `ip` is open on the peer's side
 * (Linux only). After our host stops, a peer that has not yet torn down its
 * stream to us would route the next stanza into it, and lose it; the next
 * direction must start with no s2s stream at all.
 */
export async function waitUntilNoConnections(ip: string, timeoutMs = 10_000): Promise<void> {
  const hex = procAddress(ip)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const table = await readFile('/proc/net/tcp', 'utf8')
    const open = table
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter(([, local, remote, state]) => {
        const touches = local?.startsWith(`${hex}:`) || remote?.startsWith(`${hex}:`)
        return touches && (state === ESTABLISHED || state === CLOSE_WAIT)
      })
    if (open.length === 0) return
    if (Date.now() > deadline) throw new Error(`${open.length} TCP connection(s) of ${ip} still open`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** 127.0.0.101 -> '6500007F': /proc/net/tcp writes IPv4 addresses in host (little-endian) order. */
function procAddress(ip: string): string {
  return ip
    .split('.')
    .map((octet) => Number(octet).toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('')
}
