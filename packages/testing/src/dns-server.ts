import { randomBytes } from 'node:crypto'
import { Resolver } from 'node:dns/promises'
import { writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { spawnManaged } from './child-process.js'
import { readText, tail } from './log-file.js'
import type { Workdir } from './workdir.js'

/** An SRV record (RFC 2782). */
export interface DnsSrvEntry {
  /** Owner name, e.g. '_xmpp-server._tcp.a.test'. */
  name: string
  /** Target host name, or '.' for "the service is decidedly not available". */
  target: string
  /** Required unless target is '.'. */
  port?: number
  /** Default 0. */
  priority?: number
  /** Default 0. */
  weight?: number
}

export interface DnsAddressEntry {
  name: string
  address: string
}

export interface DnsZone {
  srv?: DnsSrvEntry[]
  a?: DnsAddressEntry[]
  aaaa?: DnsAddressEntry[]
}

export interface DnsmasqSettings {
  ip: string
  port: number
  zone: DnsZone
  /** Every other name under this suffix is NXDOMAIN; names outside it are REFUSED. */
  nxdomainSuffix: string
  /** TTL of every answer. */
  ttlSeconds: number
}

export interface StartDnsServerOptions extends Partial<Omit<DnsmasqSettings, 'zone'>> {
  /** Default ip 127.0.0.53, port 5300, nxdomainSuffix 'test', ttlSeconds 0 (nothing cacheable). */
  zone: DnsZone
  /** Where dnsmasq's console log goes (`dnsmasq-<ip>-<port>/console.log`); default `<tmp>/xf-dnsmasq-<ip>-<port>.log`. */
  workdir?: Workdir
  /** Default 5 s. */
  startTimeoutMs?: number
}

export interface DnsServer {
  /** 'ip:port', as node:dns Resolver.setServers and ResolverOptions.servers take it. */
  readonly address: string
  readonly ip: string
  readonly port: number
  readonly pid: number
  /** stdout/stderr of dnsmasq, with every query logged. */
  readonly consoleLogPath: string
  log(): Promise<string>
  /** SIGTERM (SIGKILL after 2 s); resolves once dnsmasq is gone. Idempotent. */
  stop(): Promise<void>
}

/**
 * A real DNS server on loopback for resolver tests: dnsmasq serving a fixed zone,
 * authoritative-style for `nxdomainSuffix` (NXDOMAIN for unknown names there),
 * forwarding nothing. Needs no privileges on a port above 1023.
 */
export async function startDnsServer(options: StartDnsServerOptions): Promise<DnsServer> {
  const settings: DnsmasqSettings = {
    ip: options.ip ?? '127.0.0.53',
    port: options.port ?? 5300,
    zone: options.zone,
    nxdomainSuffix: options.nxdomainSuffix ?? 'test',
    ttlSeconds: options.ttlSeconds ?? 0,
  }
  // A name only this instance knows: an answer for it proves that *our* dnsmasq
  // is up, not another server that already held the address.
  const readyName = `xf-ready-${randomBytes(6).toString('hex')}.${settings.nxdomainSuffix}`
  const readyAddress = '127.0.0.1'
  const args = dnsmasqArguments({
    ...settings,
    zone: { ...settings.zone, a: [...(settings.zone.a ?? []), { name: readyName, address: readyAddress }] },
  })

  const consoleLogPath = await consoleLogFor(settings, options.workdir)
  const server = await spawnManaged({
    name: `dnsmasq ${settings.ip}:${settings.port}`,
    command: 'dnsmasq',
    args,
    consoleLogPath,
    stopGraceMs: 2000,
  })
  try {
    await waitUntilAnswering(`${settings.ip}:${settings.port}`, readyName, readyAddress, {
      timeoutMs: options.startTimeoutMs ?? 5000,
      failure: server.exitReason,
    })
  } catch (error) {
    const log = await tail(consoleLogPath)
    await server.stop()
    throw new Error(`dnsmasq did not start: ${(error as Error).message}\n--- ${consoleLogPath}\n${log}`)
  }

  return {
    address: formatAddress(settings.ip, settings.port),
    ip: settings.ip,
    port: settings.port,
    pid: server.pid,
    consoleLogPath,
    log: () => readText(consoleLogPath),
    stop: server.stop,
  }
}

// In the workdir when there is one (kept with XF_KEEP_PEERS=1). Otherwise one file
// per address in the temp dir, emptied on each start: whoever stops the server
// (stop(), stopAllPeers(), the exit hook), at most one small file per address remains.
async function consoleLogFor(settings: DnsmasqSettings, workdir: Workdir | undefined): Promise<string> {
  const name = `dnsmasq-${settings.ip.replaceAll(':', '_')}-${settings.port}`
  const file = workdir
    ? path.join(await workdir.subdir(name), 'console.log')
    : path.join(os.tmpdir(), `xf-${name}.log`)
  await writeFile(file, '')
  return file
}

/** The dnsmasq command line for a zone: nothing read from /etc, nothing forwarded, foreground. */
export function dnsmasqArguments(settings: DnsmasqSettings): string[] {
  const { ip, port, zone, nxdomainSuffix, ttlSeconds } = settings
  if (!net.isIP(ip)) throw new Error(`not an IP address: ${ip}`)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a port: ${port}`)
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) throw new Error(`not a TTL: ${ttlSeconds}`)
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null', // not /etc/dnsmasq.conf
    '--no-resolv', // no upstream servers: unknown names outside the suffix are REFUSED
    '--no-hosts',
    '--no-poll',
    '--pid-file=', // none: the child process is the server
    '--bind-interfaces',
    `--listen-address=${ip}`,
    `--port=${port}`,
    `--local=/${dnsName(nxdomainSuffix)}/`,
    `--local-ttl=${ttlSeconds}`,
    '--log-queries',
    '--log-facility=-',
  ]
  for (const record of zone.srv ?? []) args.push(`--srv-host=${srvHost(record)}`)
  for (const record of zone.a ?? []) args.push(`--host-record=${hostRecord(record, 4)}`)
  for (const record of zone.aaaa ?? []) args.push(`--host-record=${hostRecord(record, 6)}`)
  return args
}

// dnsmasq answers a --srv-host without a target with the root target ".".
function srvHost(record: DnsSrvEntry): string {
  const name = dnsName(record.name)
  if (record.target === '.') return name
  if (record.port === undefined) throw new Error(`SRV ${name} needs a port`)
  return [name, dnsName(record.target), record.port, record.priority ?? 0, record.weight ?? 0].join(',')
}

function hostRecord(record: DnsAddressEntry, family: 4 | 6): string {
  if (net.isIP(record.address) !== family) throw new Error(`not an IPv${family} address: ${record.address}`)
  return `${dnsName(record.name)},${record.address}`
}

// Keeps a name from smuggling extra fields or options into the command line.
function dnsName(name: string): string {
  if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(name)) throw new Error(`not a DNS name: ${name}`)
  return name
}

function formatAddress(ip: string, port: number): string {
  return net.isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`
}

async function waitUntilAnswering(
  server: string,
  name: string,
  expected: string,
  options: { timeoutMs: number; failure: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  let last = 'no answer yet'
  for (;;) {
    const reason = options.failure()
    if (reason) throw new Error(reason)
    const resolver = new Resolver({ timeout: 200, tries: 1 })
    resolver.setServers([server])
    const timer = setTimeout(() => resolver.cancel(), 300)
    try {
      const addresses = await resolver.resolve4(`${name}.`)
      if (addresses.includes(expected)) return
      last = `answered ${addresses.join(', ')}`
    } catch (error) {
      last = (error as NodeJS.ErrnoException).code ?? String(error)
    } finally {
      clearTimeout(timer)
    }
    if (Date.now() > deadline)
      throw new Error(`${server} did not answer within ${options.timeoutMs} ms (${last})`)
    await sleep(50)
  }
}
