import { appendFile, writeFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'

/**
 * The name -> address map of one test run, in /etc/hosts syntax.
 *
 * Prosody never reads /etc/hosts: it resolves through libunbound, which we
 * point at this file (`unbound = { hoststxt = ... }`). libunbound loads it
 * once, on an instance's first lookup, so add every domain before the
 * first s2s connection.
 */
export interface HostsFile {
  readonly path: string
  addHost(domain: string, ip: string): Promise<void>
  addressOf(domain: string): string | undefined
}

export async function createHostsFile(dir: string, name = 'hosts'): Promise<HostsFile> {
  const file = path.join(dir, name)
  const addresses = new Map<string, string>()
  await writeFile(
    file,
    '# name -> loopback address map of this test run (read by Prosody through lua-unbound)\n',
  )

  return {
    path: file,
    async addHost(domain, ip) {
      const name = domain.toLowerCase()
      if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(name)) throw new Error(`not a plain DNS name: ${domain}`)
      if (!net.isIP(ip)) throw new Error(`not an IP address: ${ip}`)
      const known = addresses.get(name)
      if (known === ip) return
      if (known) throw new Error(`${name} already maps to ${known}, not ${ip}`)
      addresses.set(name, ip)
      await appendFile(file, `${ip} ${name}\n`)
    },
    addressOf(domain) {
      return addresses.get(domain.toLowerCase())
    },
  }
}
