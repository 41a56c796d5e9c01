import { afterAll, beforeAll, expect, it } from 'vitest'
import type { HostilePeer } from '../../../stream/fuzz/hostile-peer.js'
import { report } from '../../../stream/fuzz/report.js'
import { until } from '../../../stream/test/attacks/measure.js'
import { type BounceEvent, type Federation, MAX_PENDING_USER_LOOKUPS } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { authenticatedHostile } from './authenticated-peer.js'
import { ATTACK_HOST } from './hostile.js'

// Stanzas for local users wait, in order, for the host's user directory. A directory that
// stops answering must not let a peer queue stanzas behind it without end: past
// MAX_PENDING_USER_LOOKUPS the rest is refused at once with resource-constraint.
const C = { host: ATTACK_HOST, port: 25411 }
const EXTRA = 200

let pki: TestPki
let c: Federation
let peer: HostilePeer
let asked = 0
const bounces: BounceEvent[] = []

beforeAll(async () => {
  pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', {
      listen: [C],
      policy: { peerRules: [], limits: { stanzasPerSecond: 100_000, burst: 100_000 } },
    }),
    // A directory that never answers.
    users: {
      exists: () => {
        asked++
        return new Promise<boolean>(() => {})
      },
    },
  })
  c.on('bounce', (b) => bounces.push(b))
  peer = await authenticatedHostile(
    C.port,
    await pki.ca.issue({ dnsNames: ['d.test'] }),
    'd.test',
    'c.test',
    {
      sm: false,
    },
  )
})
afterAll(async () => {
  peer?.socket.destroy()
  await c?.stop()
})

it(`a stuck user directory holds at most ${MAX_PENDING_USER_LOOKUPS} stanzas; the rest are refused at once`, async ({
  task,
}) => {
  const sent = MAX_PENDING_USER_LOOKUPS + EXTRA
  let batch = ''
  for (let i = 0; i < sent; i++)
    batch += `<message from='eve@d.test' to='u${i}@c.test' id='s${i}'><body>x</body></message>`
  peer.write(batch)
  expect(await until(() => asked + bounces.length >= sent, 5000)).toBe(true)
  expect(bounces.length).toBe(EXTRA)
  // Refused without asking the directory: it is not handed more work while it is stuck.
  expect(asked).toBe(MAX_PENDING_USER_LOOKUPS)
  expect(new Set(bounces.map((b) => b.condition))).toEqual(new Set(['resource-constraint']))
  report(task, {
    outcome: `${MAX_PENDING_USER_LOOKUPS} stanzas wait for the directory, ${bounces.length} refused with resource-constraint`,
    counts: { sent, waiting: MAX_PENDING_USER_LOOKUPS, refused: bounces.length },
  })
})
