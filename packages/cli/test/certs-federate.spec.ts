import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFederation, type Federation, type FederationOptions, xml } from '@xmpp-federation/router'
import type { Element } from 'ltx'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDevelopmentCertificates } from '../src/index.js'

// The proof that the certificates are right: two federations that trust only the
// development CA authenticate each other with SASL EXTERNAL over required TLS.
const A = { host: '127.0.0.170', port: 25501 }
const B = { host: '127.0.0.171', port: 25502 }

let dir: string
const federations: Federation[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xf-certs-federate-'))
  const made = await createDevelopmentCertificates({ dir, domains: ['a.test', 'b.test'] })
  const optionsFor = (domain: string, listen: typeof A, peer: string, route: typeof A): FederationOptions => {
    const files = made.domains.find((entry) => entry.domain === domain)!
    return {
      logger: false,
      config: {
        domains: [domain],
        listen: [listen],
        tls: { cert: files.cert, key: files.key, ca: [made.ca.cert], systemCa: false },
        security: {
          tls: 'required',
          requireValidCertificate: true,
          saslExternal: { inbound: true, outbound: true },
          dialback: false,
        },
        routes: { [peer]: [route] },
      },
    }
  }
  federations.push(createFederation(optionsFor('a.test', A, 'b.test', B)))
  federations.push(createFederation(optionsFor('b.test', B, 'a.test', A)))
  for (const federation of federations) await federation.start()
})

afterAll(async () => {
  await Promise.allSettled(federations.map((federation) => federation.stop()))
  await rm(dir, { recursive: true, force: true })
})

it('two federations configured with the files federate: a message from a.test arrives at b.test', async () => {
  const [a, b] = federations as [Federation, Federation]
  const arrived = new Promise<Element>((resolve) => b.on('stanza', resolve))
  await a.send(xml('message', { from: 'bot@a.test', to: 'eve@b.test', id: 'm1' }, xml('body', {}, 'hi eve')))
  const stanza = await arrived
  expect(stanza.attrs.from).toBe('bot@a.test')
  expect(stanza.getChildText('body')).toBe('hi eve')
  const outbound = a.status().domains.find((domain) => domain.direction === 'outbound')
  expect(outbound).toMatchObject({ remote: 'b.test', state: 'established', authMechanism: 'EXTERNAL' })
  expect(outbound?.peerCertificate?.trusted).toBe(true)
})
