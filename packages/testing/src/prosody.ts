import { execFile } from 'node:child_process'
import { constants, existsSync } from 'node:fs'
import { access, chmod, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseAuthEvents, type S2sAuthEvent } from './auth-events.js'
import { type ManagedProcess, spawnManaged } from './child-process.js'
import type { HostsFile } from './hosts.js'
import { readText, startFailure, waitForLine } from './log-file.js'
import {
  defaultC2sPort,
  defaultS2sPort,
  type ProsodyMode,
  type ProsodyOptions,
  renderProsodyConfig,
} from './prosody-config.js'
import { assertPortsFree, waitForPorts } from './tcp-probe.js'
import type { Workdir } from './workdir.js'

export interface StartProsodyOptions extends ProsodyOptions {
  workdir: Workdir
  /** The run's shared hosts file; this instance's domain is added to it. */
  hosts: HostsFile
  /** How long to wait for the server to be up; default 15 s. */
  startTimeoutMs?: number
  /** Start even if Prosody logs errors while starting (e.g. a test of a broken setup). Default false. */
  allowStartupErrors?: boolean
}

export interface ProsodyPeer {
  readonly domain: string
  readonly ip: string
  readonly mode: ProsodyMode
  readonly c2sPort: number
  readonly s2sPort: number
  readonly pid: number
  /** The instance directory: config, data/, logs. */
  readonly dir: string
  readonly configPath: string
  /** Prosody's own log (info level unless logLevel says debug). */
  readonly logPath: string
  /** stdout/stderr of the process: errors from before logging was configured. */
  readonly consoleLogPath: string
  /** Creates an account (prosodyctl; works while the server runs). */
  register(user: string, password: string): Promise<void>
  log(): Promise<string>
  /** The s2s authentications logged so far by mod_xf_auth_log. */
  authEvents(): Promise<S2sAuthEvent[]>
  /** Resolves with the first log line matching pattern; default timeout 10 s. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** SIGTERM, SIGKILL after 10 s; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>
}

/** Our Prosody plugins (mod_xf_*), shipped beside src/ and dist/. */
export const prosodyPluginDir = fileURLToPath(new URL('../prosody-plugins/', import.meta.url))

const execFileAsync = promisify(execFile)

/** Starts one Prosody instance as a foreground child process and waits until it serves c2s and s2s. */
export async function startProsody(options: StartProsodyOptions): Promise<ProsodyPeer> {
  const { domain, ip } = options
  const c2sPort = options.c2sPort ?? defaultC2sPort
  const s2sPort = options.s2sPort ?? defaultS2sPort
  await assertReadable([options.certificate?.cert, options.certificate?.key, options.cafile])
  const files = await writeInstance(options)
  const ports = [c2sPort, s2sPort, ...(options.s2sDirectTlsPort ? [options.s2sDirectTlsPort] : [])]
  await assertPortsFree(ip, ports)

  // -F keeps Prosody in the foreground: the child is the server itself (no
  // daemon to chase through a pid file), and it stays in our process group.
  const server = await spawnManaged({
    name: `prosody ${domain}`,
    command: 'prosody',
    args: ['-F', '--config', files.configPath],
    consoleLogPath: files.consoleLogPath,
    stdinLifeline: true, // mod_xf_lifecycle: the server exits when we do, even on SIGKILL
  })
  try {
    await waitUntilServing(server, files.logPath, ip, ports, options)
  } catch (error) {
    await server.stop()
    throw await startFailure(`prosody ${domain}`, error as Error, files)
  }

  return {
    domain,
    ip,
    mode: options.mode,
    c2sPort,
    s2sPort,
    pid: server.pid,
    dir: files.dir,
    configPath: files.configPath,
    logPath: files.logPath,
    consoleLogPath: files.consoleLogPath,
    register: (user, password) => registerAccount(files.configPath, user, domain, password),
    log: () => readText(files.logPath),
    authEvents: async () => parseAuthEvents(await readText(files.logPath)),
    waitForLog: (pattern, timeoutMs = 10_000) => waitForLine(files.logPath, pattern, { timeoutMs }),
    stop: server.stop,
  }
}

/** Creates `<workdir>/prosody-<domain>/` with its config, data dir and an empty certs dir. */
async function writeInstance(options: StartProsodyOptions) {
  const { workdir, hosts, domain } = options
  const name = `prosody-${domain}`
  if (existsSync(path.join(workdir.path, name))) throw new Error(`${name} already exists in ${workdir.path}`)
  const dir = await workdir.subdir(name)
  const files = {
    dir,
    configPath: path.join(dir, 'prosody.cfg.lua'),
    dataPath: path.join(dir, 'data'),
    certificatesDir: path.join(dir, 'certs'),
    logPath: path.join(dir, 'prosody.log'),
    consoleLogPath: path.join(dir, 'console.log'),
  }
  await mkdir(files.dataPath)
  await chmod(files.dataPath, 0o750) // accounts live here
  await mkdir(files.certificatesDir)
  await hosts.addHost(domain, options.ip)
  const config = renderProsodyConfig(
    { ...options, modules: [...(options.modules ?? []), 'xf_lifecycle'] },
    {
      dataPath: files.dataPath,
      pidfile: path.join(dir, 'prosody.pid'),
      logPath: files.logPath,
      hostsPath: hosts.path,
      certificatesDir: files.certificatesDir,
      pluginPaths: [prosodyPluginDir],
    },
  )
  await writeFile(files.configPath, config)
  return files
}

// mod_xf_lifecycle logs "xf-ready" once every host is active: by then any
// startup error (a missing key, an unknown module) is in the log, where
// Prosody would otherwise leave it while carrying on half-configured.
async function waitUntilServing(
  server: ManagedProcess,
  logPath: string,
  ip: string,
  ports: number[],
  options: StartProsodyOptions,
): Promise<void> {
  const timeoutMs = options.startTimeoutMs ?? 15_000
  await waitForLine(logPath, /\txf-ready$/, { timeoutMs, failure: server.exitReason })
  if (!options.allowStartupErrors) {
    const errors = (await readText(logPath)).split('\n').filter((line) => /\terror\t/.test(line))
    if (errors.length > 0) throw new Error(`errors while starting:\n${errors.join('\n')}`)
  }
  await waitForPorts(ip, ports, { timeoutMs, failure: server.exitReason })
}

async function assertReadable(files: Array<string | undefined>): Promise<void> {
  for (const file of files) {
    if (file === undefined) continue
    await access(file, constants.R_OK).catch(() => {
      throw new Error(`cannot read ${file}`)
    })
  }
}

async function registerAccount(
  configPath: string,
  user: string,
  domain: string,
  password: string,
): Promise<void> {
  try {
    await execFileAsync('prosodyctl', ['--config', configPath, 'register', user, domain, password], {
      timeout: 15_000,
    })
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(
      `prosodyctl register ${user}@${domain} failed: ${message}\n${stdout ?? ''}${stderr ?? ''}`,
    )
  }
}
