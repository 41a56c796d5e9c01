import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { FederationConfigInput } from '@xmpp-federation/config'

const script = fileURLToPath(new URL('./peer-process.ts', import.meta.url))
const tsconfig = fileURLToPath(new URL('../../../stream/fuzz/tsconfig.json', import.meta.url))
const root = fileURLToPath(new URL('../../../../', import.meta.url))

/** Our library as a separate process (peer-process.ts), started from sources through tsx. */
export interface PeerChild {
  readonly pid: number
  /** Resolves when the process is gone. */
  readonly exited: Promise<void>
  kill(signal: NodeJS.Signals): void
}

export async function startPeerChild(
  config: FederationConfigInput,
  onStanza: (id: string) => void,
): Promise<PeerChild> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve()
      else if (line.startsWith('stanza ')) onStanza(line.slice(7))
    })
    void exited.then(() => reject(new Error('the peer process exited before it was ready')))
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  await ready.finally(() => clearTimeout(timer))
  return { pid: child.pid!, exited, kill: (signal) => child.kill(signal) }
}
