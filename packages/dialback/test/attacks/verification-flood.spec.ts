import { afterEach, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import type { VerificationLimits } from '../../src/index.js'
import { createTestCA, type Routes, startNode, type TestNode } from '../fixtures.js'
import { floodingPeer, openFds, results, silentServer, until } from './flooding-peer.js'

// Issue 12, item 3. With TLS but no valid certificate required (the usual dialback setup),
// one unauthenticated stream sent thousands of <db:result/> for as many domains, and the
// receiving role started a DNS lookup and an outbound connection for each, all at once.
// Now verifications in flight are bounded per stream, per peer address and in total, the
// excess answered <resource-constraint/> (type wait), and each stream has a budget of
// distinct pairs. The authoritative servers here accept and never speak, so every started
// verification stays in flight; each hostile peer has its own 127.0.0.x source address.
const DOMAINS = 2000
const RESOURCE_CONSTRAINT =
  /<db:result from="d\.test" to="evil-\d+\.test" type="error"><error type="wait"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/g
const POLICY_VIOLATION =
  /<db:result from="d\.test" to="evil-\d+\.test" type="error"><error type="modify"><policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/g
const GAVE_UP =
  /<(?:remote-server-timeout|remote-server-not-found) xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/g

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/**
 * d.test (the target, TLS required, any certificate) and c.test (a legitimate peer whose
 * self-signed certificate proves nothing, so it needs dialback); every evil-N.test
 * resolves to a server that never answers.
 */
async function setUp(limits?: VerificationLimits) {
  const ca = await createTestCA()
  const routes: Routes = new Map()
  const silent = await silentServer()
  cleanup.push(() => silent.close())
  for (let i = 0; i <= DOMAINS; i++) routes.set(`evil-${i}.test`, silent.port)
  const security = { tls: 'required', requireValidCertificate: false } as const
  const d = await startNode({
    domains: ['d.test'],
    routes,
    security,
    certificate: await ca.issue({ dnsNames: ['d.test'] }),
    ca,
    // Long enough that nothing started in a test times out during it.
    dialback: { timeoutMs: 20_000, limits },
  })
  const c = await startNode({
    domains: ['c.test'],
    routes,
    security,
    certificate: await ca.issue({ dnsNames: ['c.test'], selfSigned: true }),
    ca,
  })
  cleanup.push(
    () => d.close(),
    () => c.close(),
  )
  const hostile = async (address: string) => {
    const peer = await floodingPeer(d.port, address, 'evil-0.test', 'd.test')
    cleanup.push(() => peer.destroy())
    return peer
  }
  /** Verifications d started for the hostile domains (the calls of the host's openVerificationStream). */
  const started = () => d.verifications.filter((v) => v.remote.startsWith('evil-')).length
  return { c, d, silent, hostile, started }
}

/** c.test authenticates to d.test by dialback; d's verification reaches c's own server. */
async function legitimateLogin(c: TestNode, d: TestNode) {
  const stream = await c.connect('c.test', 'd.test')
  cleanup.push(() => void stream.close())
  expect(stream.authenticatedPairs).toEqual([{ local: 'c.test', remote: 'd.test', mechanism: 'dialback' }])
  expect(d.verifications).toContainEqual({ local: 'd.test', remote: 'c.test' })
}

it(`one stream, ${DOMAINS} domains: 8 verifications start, the rest get resource-constraint, a legitimate peer still logs in`, async ({
  task,
}) => {
  const { c, d, silent, hostile, started } = await setUp()
  const fdsBefore = openFds()
  const peer = await hostile('127.0.0.121')
  const sentAt = Date.now()
  peer.write(results('d.test', DOMAINS))
  const refused = await peer.waitForCount(RESOURCE_CONSTRAINT, DOMAINS - 8, 8000)
  const answeredMs = Date.now() - sentAt
  await until(() => silent.accepted() >= started(), 'the started dials to arrive').catch(() => {})
  const fdsPeak = openFds()
  const startedDuringFlood = started()
  // Tried (and reported) before any check, so that a failing run still shows what the flood cost.
  const login = await legitimateLogin(c, d).then(
    () => 'authenticated',
    (error: Error) => `failed: ${error.message}`,
  )
  report(task, {
    outcome: `${startedDuringFlood} verifications started for ${DOMAINS} domains, ${refused} answered resource-constraint; legitimate peer ${login}`,
    counts: {
      results: DOMAINS,
      verificationsStarted: startedDuringFlood,
      dialsArrived: silent.accepted(),
      resourceConstraint: refused,
      fdsBefore,
      fdsPeak,
    },
  })

  expect(login).toBe('authenticated')
  expect(startedDuringFlood).toBe(8)
  expect(refused).toBe(DOMAINS - 8)
  // The hostile connection (both ends, in this process) and one dial per verification, both ends too.
  expect(fdsPeak - fdsBefore).toBeLessThanOrEqual(2 + 2 * 8 + 4)

  // The authoritative servers hang up: the slots come back, and the stream may try again.
  await silent.close()
  expect(await peer.waitForCount(GAVE_UP, 8)).toBe(8)
  peer.write(results('d.test', 1, DOMAINS))
  await until(() => started() === 9, 'a verification after the flood')
  peer.destroy()
  await new Promise((resolve) => setTimeout(resolve, 100))
  const fdsAfter = openFds()

  report(task, {
    outcome: `${startedDuringFlood} verifications started for ${DOMAINS} domains, ${refused} answered resource-constraint in ${answeredMs} ms; legitimate peer authenticated`,
    counts: { fdsAfter },
  })
}, 30_000)

it('many streams from one address: 32 verifications in flight for it, other addresses keep their own', async ({
  task,
}) => {
  const { c, d, hostile, started } = await setUp()
  let refused = 0
  let sent = 0
  // Six streams from 127.0.0.122, 16 domains each: four streams fill the address's 32 slots.
  for (const address of [
    '127.0.0.122',
    '127.0.0.122',
    '127.0.0.122',
    '127.0.0.122',
    '127.0.0.122',
    '127.0.0.122',
    '127.0.0.123',
  ]) {
    const peer = await hostile(address)
    const before = started()
    peer.write(results('d.test', 16, sent + 1))
    sent += 16
    await until(() => peer.count(RESOURCE_CONSTRAINT) + started() - before === 16, `answers from ${address}`)
    refused += peer.count(RESOURCE_CONSTRAINT)
  }
  expect(started()).toBe(32 + 8)
  expect(refused).toBe(sent - 40)
  await legitimateLogin(c, d)
  report(task, {
    outcome: `${sent} results on 7 streams from 2 addresses: ${started()} verifications started (32 + 8), ${refused} resource-constraint`,
    counts: { results: sent, verificationsStarted: started(), resourceConstraint: refused },
  })
}, 30_000)

it('many addresses: the total bound holds; a legitimate peer waits, then logs in once the flood is over', async ({
  task,
}) => {
  const { c, d, silent, hostile, started } = await setUp({ total: 40 })
  let sent = 0
  const peers = []
  for (const address of [
    '127.0.0.124',
    '127.0.0.124',
    '127.0.0.124',
    '127.0.0.124',
    '127.0.0.125',
    '127.0.0.125',
  ]) {
    const peer = await hostile(address)
    const before = started()
    peer.write(results('d.test', 16, sent + 1))
    sent += 16
    await until(() => peer.count(RESOURCE_CONSTRAINT) + started() - before === 16, `answers from ${address}`)
    peers.push(peer)
  }
  expect(started()).toBe(40)
  // Every slot is taken: dialback for anyone must wait, and says so.
  await expect(c.connect('c.test', 'd.test')).rejects.toThrow(/resource-constraint: d\.test answered/)

  await silent.close()
  await until(() => peers.reduce((n, peer) => n + peer.count(GAVE_UP), 0) === 40, 'the flood to end')
  await legitimateLogin(c, d)
  report(task, {
    outcome: `${sent} results from 2 addresses with total 40: ${started()} verifications started; legitimate peer told to wait, then authenticated`,
    counts: { results: sent, verificationsStarted: started(), total: 40 },
  })
}, 30_000)

it('a stream may have 32 distinct pairs verified; more get policy-violation, the stream and repeats stay fine', async () => {
  const { d, hostile, started, silent } = await setUp()
  await silent.close() // every verification now fails at once: only the budget stops the stream
  const peer = await hostile('127.0.0.126')
  for (let batch = 0; batch < 5; batch++) {
    peer.write(results('d.test', 8, 1 + batch * 8))
    await until(
      () => peer.count(GAVE_UP) + peer.count(POLICY_VIOLATION) === (batch + 1) * 8,
      `batch ${batch}`,
    )
  }
  expect(started()).toBe(32)
  expect(peer.count(GAVE_UP)).toBe(32)
  expect(peer.count(POLICY_VIOLATION)).toBe(8)
  expect(peer.text()).toContain('already asked to verify 32 domain pairs; open a new stream')
  peer.write(results('d.test', 1, 1)) // a pair it has tried before
  await until(() => started() === 33, 'a repeated pair to be verified again')
  expect(d.sessions.at(-1)?.phase).toBe('negotiating')
}, 30_000)

it('one pair repeated 500 times on a stream starts one verification and takes one slot', async () => {
  const { d, hostile, started } = await setUp({ perStream: 2 })
  const peer = await hostile('127.0.0.127')
  peer.write(`${results('d.test', 1, 7)}`.repeat(500))
  await until(() => started() === 1, 'the first verification')
  // The repeats started nothing and were not refused: one slot of two is still free.
  peer.write(results('d.test', 1, 8) + results('d.test', 1, 9))
  expect(await peer.waitForCount(RESOURCE_CONSTRAINT, 1)).toBe(1)
  expect(started()).toBe(2)
  expect(d.verifications.filter((v) => v.remote === 'evil-7.test')).toHaveLength(1)
}, 30_000)
