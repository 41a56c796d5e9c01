import type { IssuedCertificate } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalAuth, peerHeader } from '../../fuzz/hostile-peer.js'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, startSessionHarness } from '../../fuzz/session-target.js'
import {
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  listen,
  saslExternal,
} from '../../src/index.js'
import { bytes, HEADER, message } from './attack.js'

// A certificate that does not prove the domain: SASL EXTERNAL is not offered, an <auth/> anyway
// is refused with not-authorized, and stanzas stay undelivered. Outbound: no stream at all.
const DAY = 86_400_000

describe('certificates that do not prove the domain', () => {
  let harness: SessionHarness
  const certs: Record<string, IssuedCertificate> = {}
  beforeAll(async () => {
    harness = await startSessionHarness()
    const { ca } = harness
    certs['for another domain'] = await ca.issue({ dnsNames: ['not-b.test'] })
    certs.expired = await ca.issue({
      dnsNames: ['b.test'],
      notBefore: new Date(Date.now() - 3 * DAY),
      notAfter: new Date(Date.now() - DAY),
    })
    certs['not yet valid'] = await ca.issue({
      dnsNames: ['b.test'],
      notBefore: new Date(Date.now() + DAY),
      notAfter: new Date(Date.now() + 3 * DAY),
    })
    certs['self-signed'] = await ca.issue({ dnsNames: ['b.test'], selfSigned: true })
  })
  afterAll(async () => {
    await harness?.close()
  })

  for (const kind of ['for another domain', 'expired', 'not yet valid', 'self-signed']) {
    it(`inbound, a certificate ${kind}: no EXTERNAL offered, <auth/> refused, stanza not-authorized`, async ({
      task,
    }) => {
      const outcome = await harness.run(
        'tls',
        bytes(HEADER + externalAuth('b.test') + peerHeader('b.test', 'c.test') + message('m')),
        false,
        { cert: certs[kind] },
      )
      expect(outcome.received).not.toContain('<mechanism>EXTERNAL</mechanism>')
      expect(outcome.received).toContain(
        '<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/></failure>',
      )
      expect(outcome.authenticated).toBe(0)
      // The new header after a refused <auth/> is not a restart: it is an element the stream cannot take.
      expect(outcome.stanzas).toBe(0)
      expect(outcome.problems).toEqual([])
      report(task, { outcome: `EXTERNAL refused (${outcome.exit}); 0 delivered` })
    })
  }

  it('inbound, a valid certificate for the domain is accepted (control)', async () => {
    const outcome = await harness.run(
      'tls',
      bytes(HEADER + externalAuth('b.test') + peerHeader('b.test', 'c.test') + message('m')),
      false,
    )
    expect(outcome.problems).toEqual([])
    expect(outcome.stanzas).toBe(1)
  })

  for (const kind of ['for another domain', 'expired']) {
    it(`outbound, a server presenting a certificate ${kind}: CERT_INVALID before any stanza`, async ({
      task,
    }) => {
      const { ca } = harness
      const ours = await ca.issue({ dnsNames: ['c.test'] })
      const theirs =
        kind === 'expired'
          ? await ca.issue({
              dnsNames: ['d.test'],
              notBefore: new Date(Date.now() - 3 * DAY),
              notAfter: new Date(Date.now() - DAY),
            })
          : await ca.issue({ dnsNames: ['not-d.test'] })
      const context = (domain: string, cert: IssuedCertificate) =>
        createStreamContext({
          localDomains: [domain],
          auth: [saslExternal()],
          tls: createTlsIdentity({
            anchors: createTrustAnchors({ ca: [ca.certPem] }),
            credentials: { '*': { cert: cert.chainPem, key: cert.keyPem } },
          }),
        })
      const stanzas: unknown[] = []
      const server = await listen(context('d.test', theirs), { host: '127.0.0.80', port: 0 }, (s) =>
        s.on('stanza', (x) => stanzas.push(x)),
      )
      const attempt = connectStream({
        context: context('c.test', ours),
        localDomain: 'c.test',
        remoteDomain: 'd.test',
        host: '127.0.0.80',
        port: (server.address() as { port: number }).port,
      })
      await expect(attempt).rejects.toMatchObject({ name: 'NegotiationError', code: 'CERT_INVALID' })
      await expect(attempt).rejects.toThrow(
        kind === 'expired' ? /expired|not valid/i : /does not name d\.test/,
      )
      expect(stanzas).toEqual([])
      await new Promise((resolve) => server.close(resolve))
      report(task, { outcome: 'CERT_INVALID; no stream' })
    })
  }
})
