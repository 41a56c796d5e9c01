import { afterAll, describe, expect, it } from 'vitest'
import {
  type ClusterNode,
  createWorkdir,
  startClusterNode,
  stopAllPeers,
  type Workdir,
} from '../src/index.js'

// The runner's IPC plumbing with a plain single-node federation (no Redis): sends settle with
// their outcome, events stream back, status answers, signals reach the process, stop is graceful.
// Port 1 on our own loopback address refuses at once: a remote server that cannot be reached.
const CLOSED = { host: '127.0.0.195', port: 1 }

describe('a library node in its own process', () => {
  let workdir: Workdir
  const nodes: ClusterNode[] = []

  async function start(nodeId: string, config: Record<string, unknown> = {}) {
    workdir ??= await createWorkdir()
    const node = await startClusterNode({
      nodeId,
      consoleLogPath: `${await workdir.subdir('nodes')}/${nodeId}.log`,
      config: {
        domains: ['c.test'],
        security: { tls: 'none', dialback: true, requireValidCertificate: false },
        dialback: { secret: 'a-test-secret-of-enough-length-0123456789' },
        routes: { 'closed.test': [CLOSED] },
        ...config,
      },
    })
    nodes.push(node)
    return node
  }

  afterAll(async () => {
    for (const node of nodes) await node.stop()
    await stopAllPeers()
    await workdir?.cleanup()
  })

  it('reports written and bounced sends, streams the events, answers status', async () => {
    const node = await start('solo')
    const local = await node.send(
      '<message from="bot@c.test" to="eve@c.test" id="l1"><body>hi</body></message>',
    )
    expect(local).toMatchObject({ outcome: 'written' })
    const stanza = await node.waitForEvent((e) => e.name === 'stanza')
    expect(stanza.data).toMatchObject({ localDomain: 'c.test', remoteDomain: 'c.test' })
    expect(String(stanza.data.xml)).toContain('<body>hi</body>')

    const far = await node.send(
      '<message from="bot@c.test" to="x@closed.test" id="f1"><body>?</body></message>',
    )
    expect(far).toMatchObject({ outcome: 'bounced', condition: 'remote-server-not-found' })
    const bounce = await node.waitForEvent((e) => e.name === 'bounce')
    expect(bounce.data).toMatchObject({ condition: 'remote-server-not-found', direction: 'outbound' })
    expect(String(bounce.data.stanza)).toContain('id="f1"')

    const burst = await node.burst({
      from: 'bot@c.test',
      to: 'eve@c.test',
      count: 20,
      concurrency: 4,
      bodyPrefix: 'b',
    })
    expect(burst).toMatchObject({ written: 20, bounced: {} })
    expect(burst.latenciesMs).toHaveLength(20)

    const status = await node.status()
    expect(status).toMatchObject({ state: 'running', localDomains: ['c.test'] })
    expect(status.cluster).toBeUndefined()
  }, 30_000)

  it('pauses and resumes on SIGSTOP/SIGCONT; stop() is graceful; SIGKILL is reported', async () => {
    const node = await start('paused')
    expect(node.signal('SIGSTOP')).toBe(true)
    let answered = false
    const status = node.status().then((s) => {
      answered = true
      return s
    })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(answered).toBe(false)
    node.signal('SIGCONT')
    expect(await status).toMatchObject({ state: 'running' })
    await node.stop()
    expect(node.exitReason()).toBe('cluster node paused exited with code 0')

    const killed = await start('killed')
    killed.signal('SIGKILL')
    await killed.exited
    expect(killed.exitReason()).toBe('cluster node killed was killed by SIGKILL')
    await expect(killed.send('<message from="bot@c.test" to="eve@c.test"/>')).rejects.toThrow(/SIGKILL/)
  }, 30_000)

  it('reports a config error from start() with its message', async () => {
    await expect(start('broken', { domains: [] })).rejects.toThrow(
      /node broken did not start: ConfigError: [\s\S]*domains: must list/,
    )
  }, 30_000)
})
