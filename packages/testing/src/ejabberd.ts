import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { S2sAuthEvent } from './auth-events.js'
import {
  defaultEjabberdDistPort,
  type EjabberdMode,
  type EjabberdOptions,
  renderEjabberdConfig,
  renderEjabberdctlConfig,
  renderInetrc,
} from './ejabberd-config.js'
import { parseEjabberdAuthEvents } from './ejabberd-log.js'
import { type EjabberdProcess, spawnEjabberd } from './ejabberd-process.js'
import type { HostsFile } from './hosts.js'
import { readText, startFailure, waitForLine } from './log-file.js'
import { assertPortsFree, waitForPorts } from './tcp-probe.js'
import type { Workdir } from './workdir.js'

export interface StartEjabberdOptions extends EjabberdOptions {
  workdir: Workdir
  /**
   * The run's hosts file: this instance's domain is added to it, and every
   * other domain in it becomes a static SRV record (port 5269) in the VM. The
   * VM reads them once, at start: add the peers' domains before starting.
   */
  hosts: HostsFile
  /** More peers, or other ports: domain -> address of its s2s listener (directTls: an `_xmpps-server` record). */
  srvRecords?: Record<string, { ip: string; port?: number; directTls?: boolean }>
  /** How long to wait for the node to serve; default 30 s. */
  startTimeoutMs?: number
}

/** A running ejabberd, in the shape of ProsodyPeer. */
export interface EjabberdPeer {
  readonly domain: string
  readonly ip: string
  readonly mode: EjabberdMode
  readonly c2sPort: number
  readonly s2sPort: number
  readonly distPort: number
  /** ejabberdctl's pid, leader of the process group that holds the VM. */
  readonly pid: number
  readonly dir: string
  readonly configPath: string
  readonly logPath: string
  /** ejabberdctl's and the VM's stdout/stderr: errors from before logging started. */
  readonly consoleLogPath: string
  /** Creates an account (`ejabberdctl register`; the node must run). */
  register(user: string, password: string): Promise<void>
  log(): Promise<string>
  /** The "Accepted inbound/outbound s2s ... authentication" lines so far. */
  authEvents(): Promise<S2sAuthEvent[]>
  /** Resolves with the first log line matching pattern; default timeout 10 s. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** `ejabberdctl stop`, then signals; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>
}

const execFileAsync = promisify(execFile)

/**
 * Starts one ejabberd node as a plain process (`ejabberdctl foreground`, no
 * systemd, no epmd) that binds only `ip`, and waits until it serves c2s and s2s.
 * Needs root: ejabberdctl switches to the `ejabberd` user, which must be able
 * to read every file given here (the workdir is searchable by others).
 */
export async function startEjabberd(options: StartEjabberdOptions): Promise<EjabberdPeer> {
  const { domain, ip } = options
  const c2sPort = options.c2sPort ?? 5222
  const s2sPort = options.s2sPort ?? 5269
  const distPort = options.distPort ?? defaultEjabberdDistPort
  if (process.getuid?.() !== 0)
    throw new Error('startEjabberd needs root: ejabberdctl runs ejabberd as its own user')
  const account = await ejabberdAccount()
  const servicePorts = [c2sPort, s2sPort, ...(options.directTlsPort ? [options.directTlsPort] : [])]
  await assertPortsFree(ip, [...servicePorts, distPort])
  const files = await writeInstance(options, account, distPort)
  await assertEjabberdCanRead(files, options)

  const ctl = (...args: string[]) =>
    execFileAsync('ejabberdctl', [...files.ctlArgs, ...args], { timeout: 20_000 }).then(() => undefined)
  const server: EjabberdProcess = spawnEjabberd({
    name: `ejabberd ${domain}`,
    ctlArgs: files.ctlArgs,
    consoleLogPath: files.consoleLogPath,
    gracefulStop: () => ctl('stop'),
  })
  try {
    const timeoutMs = options.startTimeoutMs ?? 30_000
    await waitForLine(files.logPath, /is started in the node/, { timeoutMs, failure: server.exitReason })
    const critical = (await readText(files.logPath)).split('\n').filter((line) => line.includes('[critical]'))
    if (critical.length > 0) throw new Error(`critical errors while starting:\n${critical.join('\n')}`)
    await waitForPorts(ip, servicePorts, { timeoutMs, failure: server.exitReason })
  } catch (error) {
    await server.stop()
    throw await startFailure(`ejabberd ${domain}`, error as Error, files)
  }

  return {
    domain,
    ip,
    mode: options.mode,
    c2sPort,
    s2sPort,
    distPort,
    pid: server.pid,
    dir: files.dir,
    configPath: files.configPath,
    logPath: files.logPath,
    consoleLogPath: files.consoleLogPath,
    register: async (user, password) => {
      try {
        await ctl('register', user, domain, password)
      } catch (error) {
        const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string }
        throw new Error(
          `ejabberdctl register ${user}@${domain} failed: ${message}\n${stdout ?? ''}${stderr ?? ''}`,
        )
      }
    },
    log: () => readText(files.logPath),
    authEvents: async () => parseEjabberdAuthEvents(await readText(files.logPath)),
    waitForLog: (pattern, timeoutMs = 10_000) => waitForLine(files.logPath, pattern, { timeoutMs }),
    stop: server.stop,
  }
}

interface Account {
  uid: number
  gid: number
}

async function ejabberdAccount(): Promise<Account> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', 'ejabberd']).then(({ stdout }) => Number(stdout.trim())),
      execFileAsync('id', ['-g', 'ejabberd']).then(({ stdout }) => Number(stdout.trim())),
    ])
    return { uid, gid }
  } catch {
    throw new Error('no ejabberd user: is ejabberd installed? (scripts/install-peers.sh)')
  }
}

/** `<workdir>/ejabberd-<domain>/` with its configs and the dirs the ejabberd user writes. */
async function writeInstance(options: StartEjabberdOptions, account: Account, distPort: number) {
  const { workdir, hosts, domain, ip } = options
  const name = `ejabberd-${domain}`
  if (existsSync(path.join(workdir.path, name))) throw new Error(`${name} already exists in ${workdir.path}`)
  const dir = await workdir.subdir(name)
  const files = {
    dir,
    configPath: path.join(dir, 'ejabberd.yml'),
    ctlConfigPath: path.join(dir, 'ejabberdctl.cfg'),
    spoolDir: path.join(dir, 'spool'),
    logsDir: path.join(dir, 'logs'),
    runDir: path.join(dir, 'run'),
    logPath: path.join(dir, 'logs', 'ejabberd.log'),
    consoleLogPath: path.join(dir, 'console.log'),
    ctlArgs: [] as string[],
  }
  // ejabberdctl reads ERL_INETRC from --config-dir: the instance dir holds it.
  files.ctlArgs = [
    ...['--config-dir', dir, '--config', files.configPath, '--ctl-config', files.ctlConfigPath],
    ...['--logs', files.logsDir, '--spool', files.spoolDir],
  ]
  for (const owned of [files.spoolDir, files.logsDir, files.runDir]) {
    await mkdir(owned)
    await chown(owned, account.uid, account.gid)
  }
  await hosts.addHost(domain, ip)
  const srvRecords: Record<string, { ip: string; port: number; directTls?: boolean }> = {
    ...(await peersIn(hosts, domain)),
  }
  for (const [peer, target] of Object.entries(options.srvRecords ?? {})) {
    srvRecords[peer] = { ip: target.ip, port: target.port ?? 5269, directTls: target.directTls }
  }
  const cookie = `xf-${randomBytes(8).toString('hex')}`
  await writeReadable(files.configPath, renderEjabberdConfig(options))
  await writeReadable(path.join(dir, 'inetrc'), renderInetrc())
  await writeReadable(
    files.ctlConfigPath,
    renderEjabberdctlConfig({
      ip,
      distPort,
      cookie,
      srvRecords,
      pidPath: path.join(files.runDir, 'ejabberd.pid'),
    }),
  )
  // The .pem holds the key: readable by the ejabberd group, not by everyone.
  if (options.certificate) await shareWithGroup(options.certificate.pem, account.gid)
  return files
}

/** Every other domain of the hosts file, as an SRV target on port 5269. */
async function peersIn(
  hosts: HostsFile,
  self: string,
): Promise<Record<string, { ip: string; port: number }>> {
  const peers: Record<string, { ip: string; port: number }> = {}
  for (const line of (await readFile(hosts.path, 'utf8')).split('\n')) {
    const [ip, name] = line.trim().split(/\s+/)
    if (!ip || !name || ip.startsWith('#') || name === self) continue
    peers[name] = { ip, port: 5269 }
  }
  return peers
}

async function writeReadable(file: string, text: string): Promise<void> {
  await writeFile(file, text)
  await chmod(file, 0o644)
}

async function shareWithGroup(file: string, gid: number): Promise<void> {
  const info = await stat(file)
  if ((info.mode & 0o004) !== 0) return // readable by everyone already
  await chown(file, info.uid, gid)
  await chmod(file, (info.mode & 0o7777) | 0o040)
}

/**
 * ejabberd fails silently (no log at all) when its user cannot read its config
 * or write its spool: ask the question as that user first, for a clear error.
 */
async function assertEjabberdCanRead(
  files: { configPath: string; ctlConfigPath: string; spoolDir: string; logsDir: string },
  options: StartEjabberdOptions,
): Promise<void> {
  const readable = [files.configPath, files.ctlConfigPath, options.certificate?.pem, options.cafile].filter(
    (file): file is string => file !== undefined,
  )
  const checks = [
    ...readable.map((file) => `test -r ${quote(file)}`),
    ...[files.spoolDir, files.logsDir].map((dir) => `test -w ${quote(dir)}`),
  ]
  try {
    await execFileAsync('su', ['-s', '/bin/sh', 'ejabberd', '-c', checks.join(' && ')], { timeout: 10_000 })
  } catch {
    throw new Error(
      `the ejabberd user cannot read ${readable.join(', ')} or write ${files.spoolDir}: ` +
        'every parent directory must be searchable by others (chmod o+x) and the files readable by it',
    )
  }
}

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}
