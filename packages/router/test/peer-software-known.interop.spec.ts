import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { DecisionEvent, PeerRule } from '@xmpp-federation/policy'
import { type CertScenario, startCertScenario, stopAllPeers, type XmppUser } from '@xmpp-federation/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFederation, type Federation, type SessionEvent, xml } from '../src/index.js'

// The XEP-0092 known-good rule against a real Prosody (a.test, with mod_version): a stale answer
// the policy allows lets the first stanza of a new stream go before the new answer; a refused
// peer still receives nothing.
const PROSODY_IP = '127.0.0.231'
const OUR = { host: '127.0.0.232', port: 5269 }
const execFileAsync = promisify(execFile)
/** The default path (inside the data directory) is longer than a Unix socket's may be. */
const ADMIN_SOCKET = `/tmp/xf-known-${process.pid}.sock`
/** Answers go stale almost at once and stay known for the whole test. */
const PEER_SOFTWARE = { cacheTtlMs: 300, knownForMs: 3_600_000 }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('XEP-0092 known-good rule against Prosody', () => {
  let scenario: CertScenario
  let alice: XmppUser
  let federation: Federation | undefined
  /** What happened, in order: decisions on a.test's software and writes of our stanzas. */
  const log: string[] = []
  const sessions: SessionEvent[] = []

  async function prosodyShell(command: string): Promise<string> {
    const { stdout } = await execFileAsync(
      'prosodyctl',
      ['--config', scenario.prosody.configPath, 'shell', command],
      { timeout: 10_000 },
    )
    return stdout
  }

  async function start(policy: { peerRules: PeerRule[]; unknownSoftware?: 'allow' | 'refuse' }) {
    log.length = 0
    sessions.length = 0
    const files = await scenario.filesFor('c.test')
    federation = createFederation({
      config: {
        domains: ['c.test'],
        tls: { cert: files.cert, key: files.key, ca: [files.ca], systemCa: false },
        listen: [OUR],
        routes: { 'a.test': [{ host: PROSODY_IP }] },
        policy,
      },
      peerSoftware: PEER_SOFTWARE,
    })
    federation.on('decision', (d: DecisionEvent) => {
      if (d.check === 'peer-software') log.push(`decision ${d.decision.allowed ? 'allowed' : 'refused'}`)
    })
    federation.on('session', (event) => {
      if (event.direction === 'outbound') sessions.push(event)
    })
    await federation.start()
    return federation
  }

  function send(id: string): Promise<void> {
    return federation!
      .send(xml('message', { from: 'bot@c.test', to: 'alice@a.test', id, type: 'chat' }, xml('body', {}, id)))
      .then(() => {
        log.push(`written ${id}`)
      })
  }

  /** Closes every stream between a.test and c.test (from Prosody's side) and lets the answer go stale. */
  async function coolDown() {
    const before = sessions.filter((s) => s.state === 'closed').length
    await prosodyShell('s2s:closeall("c.test")')
    await expect
      .poll(() => sessions.filter((s) => s.state === 'closed').length, { timeout: 10_000 })
      .toBeGreaterThan(before)
    await sleep(PEER_SOFTWARE.cacheTtlMs + 100)
    log.length = 0
  }

  async function aliceGetsNothing(id: string) {
    await expect(alice.nextStanza((s) => s.attrs.id === id, 1_500)).rejects.toThrow()
  }

  beforeAll(async () => {
    scenario = await startCertScenario({
      domain: 'a.test',
      ip: PROSODY_IP,
      ours: { 'c.test': OUR.host },
      // admin_shell: to close Prosody's streams and unload mod_version during a test.
      modules: ['version', 'admin_shell'],
      extraGlobal: `admin_socket = "${ADMIN_SOCKET}"`,
    })
    alice = await scenario.login('alice')
  })
  afterEach(async () => {
    await federation?.stop()
    federation = undefined
    await prosodyShell('module:load("version", "a.test")')
  })
  afterAll(async () => {
    await scenario?.cleanup()
    await stopAllPeers()
  })

  it('a known-good stale answer: the first stanza of the new stream is written before the new answer', async () => {
    await start({ peerRules: [{ product: 'Evil', action: 'refuse' }] })
    await send('k1')
    await alice.nextStanza((s) => s.attrs.id === 'k1', 15_000)
    // The first contact waited for the answer.
    expect(log).toEqual(['decision allowed', 'written k1'])
    await coolDown()
    await send('k2')
    await alice.nextStanza((s) => s.attrs.id === 'k2', 15_000)
    await expect.poll(() => log.length, { timeout: 10_000 }).toBe(3)
    // Admitted on the known answer, written, then the new answer's verdict.
    expect(log).toEqual(['decision allowed', 'written k2', 'decision allowed'])
  })

  it('a domain whose known answer the policy refuses: Prosody’s user receives nothing, the sender gets the bounce', async () => {
    await start({ peerRules: [{ product: 'Prosody', action: 'refuse', reason: 'no Prosody today' }] })
    await expect(send('r1')).rejects.toMatchObject({ condition: 'policy-violation' })
    await sleep(PEER_SOFTWARE.cacheTtlMs + 100)
    log.length = 0
    // Stale now, but what a.test said is refused: nothing goes out before the new verdict.
    await expect(send('r2')).rejects.toMatchObject({ condition: 'policy-violation' })
    expect(log).toEqual(['decision refused'])
    await aliceGetsNothing('r1')
    await aliceGetsNothing('r2')
  })

  it('a known-good domain whose new answer refuses: the stream closes, later stanzas bounce', async () => {
    // Prosody without mod_version gives no answer: unknown software, refused here.
    await start({ peerRules: [{ product: 'Evil', action: 'refuse' }], unknownSoftware: 'refuse' })
    await send('n1')
    await alice.nextStanza((s) => s.attrs.id === 'n1', 15_000)
    await coolDown()
    await prosodyShell('module:unload("version", "a.test")')
    await send('n2')
    await expect.poll(() => log, { timeout: 10_000 }).toContain('decision refused')
    expect(log.slice(0, 3)).toEqual(['decision allowed', 'written n2', 'decision refused'])
    await expect.poll(() => sessions.map((s) => s.state), { timeout: 10_000 }).toContain('failed')
    expect(sessions.find((s) => s.state === 'failed')?.error?.message).toMatch(/XEP-0092|unknownSoftware/)
    await expect(send('n3')).rejects.toMatchObject({ condition: 'policy-violation' })
    await aliceGetsNothing('n3')
  })
})
