/**
 * ejabberd e.test as a third P2 receiver beside Prosody b.test and our library: certificate
 * mode (SASL EXTERNAL), on its own bench address. Its CPU is its Erlang VM's (beam.smp), which
 * runs under ejabberdctl, not as ejabberdctl itself.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type EjabberdPeer, startEjabberd } from '@xmpp-federation/testing'
import { ADDRESSES } from './addresses.js'
import type { BenchContext } from './context.js'
import type { ProsodyPair } from './prosody-peers.js'

export interface EjabberdReceiver {
  readonly peer: EjabberdPeer
  /** The VM's pid: what receives, and what /proc is read for. */
  readonly vmPid: number
  stop(): Promise<void>
}

/** Why ejabberd cannot run here (not installed, not root), or undefined when it can. */
export function ejabberdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'ejabberd needs root (ejabberdctl switches to its own user)'
  try {
    execFileSync('sh', ['-c', 'command -v ejabberdctl'], { stdio: 'ignore' })
    return undefined
  } catch {
    return 'ejabberdctl is not installed (scripts/install-peers.sh installs it)'
  }
}

/** Starts e.test beside a running Prosody pair, whose hosts file already names a.test. */
export async function startEjabberdReceiver(ctx: BenchContext, pair: ProsodyPair): Promise<EjabberdReceiver> {
  const dir = await ctx.workdir.subdir('ejabberd-certs')
  const files = await pair.pki.files('e.test')
  // ejabberd wants the chain and its key in one file.
  const pem = path.join(dir, 'e.test.pem')
  await writeFile(pem, `${readFileSync(files.cert, 'utf8')}\n${readFileSync(files.key, 'utf8')}`, {
    mode: 0o644,
  })
  const peer = await startEjabberd({
    workdir: ctx.workdir,
    hosts: pair.hosts,
    domain: 'e.test',
    ip: ADDRESSES.ejabberd,
    mode: 'cert',
    certificate: { pem },
    cafile: pair.pki.caFile,
  })
  try {
    return { peer, vmPid: beamPid(peer.pid), stop: () => peer.stop() }
  } catch (error) {
    await peer.stop()
    throw error
  }
}

/**
 * The Erlang VM among ejabberdctl's descendants (ejabberdctl runs `su`, which may start a new
 * session, so the process group does not find it; the parent links do).
 */
function beamPid(ejabberdctl: number): number {
  const processes = new Map<number, { parent: number; name: string }>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      processes.set(Number(entry), { parent, name })
    } catch {
      // gone meanwhile
    }
  }
  const descends = (pid: number): boolean => {
    for (let current = pid, hops = 0; current > 1 && hops < 16; hops++) {
      if (current === ejabberdctl) return true
      current = processes.get(current)?.parent ?? 0
    }
    return false
  }
  for (const [pid, { name }] of processes) if (name.startsWith('beam') && descends(pid)) return pid
  throw new Error(`no Erlang VM found among the descendants of ejabberdctl (pid ${ejabberdctl})`)
}
