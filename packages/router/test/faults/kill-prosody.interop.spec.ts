import { writeFile } from 'node:fs/promises'
import {
  createHostsFile,
  createWorkdir,
  type HostsFile,
  loginUser,
  startProsody,
  stopAllPeers,
  type Workdir,
  writeCertificateFiles,
} from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { countsOf, Ledger } from './ledger.js'

// Prosody 0.12 is SIGKILLed while our c.test streams messages to one of its users. Every
// send() settles. Without XEP-0198 what Prosody took but never handed on is
// written-but-unconfirmed; with mod_smacks it is resent, and bounces once nobody answers.
const OURS = { host: '127.0.0.82', port: 5269 }
const TOTAL = 300
const PASSWORD = 'fault-secret'
const PEERS = [
  { domain: 'a.test', ip: '127.0.0.81', modules: [] as string[], label: 'without XEP-0198' },
  { domain: 'b.test', ip: '127.0.0.84', modules: ['smacks'], label: 'with mod_smacks (XEP-0198)' },
]

describe('Prosody killed in flight', () => {
  let workdir: Workdir
  let hosts: HostsFile
  let pki: TestPki
  let cafile: string
  let c: Federation

  beforeAll(async () => {
    workdir = await createWorkdir()
    hosts = await createHostsFile(workdir.path)
    await hosts.addHost('c.test', OURS.host)
    for (const peer of PEERS) await hosts.addHost(peer.domain, peer.ip)
    pki = await createTestPki()
    cafile = `${await workdir.subdir('certs')}/ca.crt`
    await writeFile(cafile, pki.ca.certPem)
    c = await startFederation({
      config: await configFor(pki, 'c.test', {
        listen: [OURS],
        routes: Object.fromEntries(PEERS.map((p) => [p.domain, [{ host: p.ip }]])),
      }),
      backoff: { initialMs: 50, maxMs: 500 },
    })
  })
  afterAll(async () => {
    await c?.stop()
    await stopAllPeers()
    await workdir?.cleanup()
  })

  for (const peer of PEERS) {
    it(`${TOTAL} messages, Prosody ${peer.label} SIGKILLed half way: all accounted for`, async ({ task }) => {
      const certs = await workdir.subdir('certs')
      const certificate = await writeCertificateFiles(
        certs,
        peer.domain,
        await pki.ca.issue({ dnsNames: [peer.domain] }),
      )
      const prosody = await startProsody({
        workdir,
        hosts,
        domain: peer.domain,
        ip: peer.ip,
        mode: 'cert',
        certificate,
        cafile,
        scramIterations: 1000,
        modules: peer.modules,
      })
      await prosody.register('user', PASSWORD)
      const jid = `user@${peer.domain}`
      const user = await loginUser({ jid, password: PASSWORD, ip: peer.ip, ca: pki.ca.certPem })
      const ledger = new Ledger(c)
      c.on('stanza', (s) => ledger.returnedError(s))
      // A predicate that never claims: it sees every stanza the user receives, as it arrives.
      const watching = user
        .nextStanza((s) => {
          if (s.is('message')) ledger.deliver(s.attrs.id)
          return false
        }, 120_000)
        .catch(() => {}) // ends when the user's connection dies with the server
      await c.send(
        xml('message', { from: 'bot@c.test', to: jid, id: `${peer.domain}-warm` }, xml('body', {}, 'warm')),
      )
      for (let i = 0; i < TOTAL; i++) {
        ledger.send(
          xml(
            'message',
            { from: 'bot@c.test', to: jid, id: `${peer.domain}-${i}`, type: 'chat' },
            xml('body', {}, `n${i}`),
          ),
        )
        if (i === TOTAL / 2) process.kill(prosody.pid, 'SIGKILL')
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const a = await ledger.settle(30_000, 1000)
      void watching
      await user.stop()
      console.log(`[faults] kill-prosody ${peer.domain}`, JSON.stringify(a))
      expect(a.unaccounted).toBe(0)
      expect(a.bounceMismatches).toBe(0)
      expect(a.delivered + a.bounced + a.writtenUnconfirmed).toBe(TOTAL)
      expect(a.delivered).toBeGreaterThan(0)
      expect(a.bounced).toBeGreaterThan(0)
      expect(a.duplicates).toBeLessThanOrEqual(a.resent)
      report(task, { outcome: `SIGKILL at 1/2, Prosody ${peer.label}`, counts: countsOf(a) })
    }, 90_000)
  }
})
