import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { report } from '../../fuzz/report.js'
import { type SessionHarness, type SessionMode, startSessionHarness } from '../../fuzz/session-target.js'
import { bytes, DIALBACK, expectStreamError, HEADER, message } from './attack.js'

// DOCTYPE, entity bombs and external entities (RFC 6120 §11.1: no DTD, no entity but the
// predefined five). Each is refused with restricted-xml before anything is expanded or fetched.
describe('DOCTYPE, entity bombs and external entities', () => {
  let harness: SessionHarness
  let dtdServer: Server
  let fetches = 0
  let dtd = ''

  beforeAll(async () => {
    harness = await startSessionHarness()
    // If anything ever dereferenced an external entity, this server would count it.
    dtdServer = createServer((_, res) => {
      fetches++
      res.end('<!ENTITY x "fetched">')
    })
    await new Promise<void>((resolve) => dtdServer.listen(0, '127.0.0.80', resolve))
    dtd = `http://127.0.0.80:${(dtdServer.address() as { port: number }).port}/x.dtd`
  })
  afterAll(async () => {
    await harness?.close()
    await new Promise((resolve) => dtdServer?.close(resolve))
  })

  const laughs = () => {
    const entities = ['<!ENTITY lol "lol">']
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`)
    return `<!DOCTYPE lolz [${entities.join('')}]>`
  }
  const cases: [string, () => string][] = [
    ['a DOCTYPE before the stream header', () => `<?xml version='1.0'?>${laughs()}${HEADER}`],
    ['a billion-laughs DOCTYPE after the header', () => `${HEADER}${laughs()}`],
    ['a billion-laughs DOCTYPE after authentication', () => `${HEADER}${DIALBACK}${laughs()}`],
    [
      'a reference to an undeclared entity in a stanza',
      () => `${HEADER}${DIALBACK}${message('m', '&lol9;')}`,
    ],
    ['an entity reference in an attribute value', () => `${HEADER}${DIALBACK}<message to='&lol9;'/>`],
    ['an external entity (SYSTEM)', () => `${HEADER}<!DOCTYPE x [<!ENTITY xxe SYSTEM "${dtd}">]>`],
    ['an external DTD (PUBLIC)', () => `${HEADER}<!DOCTYPE x PUBLIC "-//evil//x" "${dtd}">`],
    ['a parameter entity', () => `${HEADER}<!DOCTYPE x [<!ENTITY % p SYSTEM "${dtd}"> %p;]>`],
    ['an external entity used in a stanza', () => `${HEADER}${DIALBACK}${message('m', '&xxe;')}`],
  ]
  for (const mode of ['clear', 'tls'] as SessionMode[]) {
    for (const [name, input] of cases) {
      it(`${mode}: ${name} is restricted-xml, nothing expanded or fetched`, async ({ task }) => {
        const outcome = await harness.run(mode, bytes(input()), false)
        expectStreamError(outcome, 'restricted-xml')
        expect(outcome.durationMs).toBeLessThan(1000)
        expect(fetches).toBe(0)
        report(task, { outcome: `restricted-xml in ${Math.round(outcome.durationMs)} ms, 0 fetches` })
      })
    }
  }
})
