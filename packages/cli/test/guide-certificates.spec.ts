import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { guideCommandBlocks, runGuideCommands } from '@xmpp-federation/testing'
import { afterAll, describe, expect, it } from 'vitest'

const GUIDE = new URL('../../../docs/certificates.md', import.meta.url)

// docs/certificates.md: every ```sh block runs as written, in order, in one directory.
describe('docs/certificates.md', () => {
  let dir: string
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('runs every command it does not mark as not run, and they all succeed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-guide-certs-'))
    const runs = await runGuideCommands(GUIDE, dir)
    for (const run of runs) expect(run.code, `line ${run.block.line}: ${run.stderr}`).toBe(0)
    expect(runs).toHaveLength(guideCommandBlocks(GUIDE).filter((block) => block.run).length)
    const last = runs.at(-1)!
    expect(last.block.code).toContain('check-config federation.json --strict')
    expect(last.stdout).toContain('no problem found')
  }, 60_000)

  it('the openssl certificate names both domains as DNS SANs, with both usages, signed by its CA', () => {
    const leaf = new X509Certificate(readFileSync(join(dir, 'chat.example.com.crt')))
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')))
    expect(leaf.subjectAltName).toBe('DNS:chat.example.com, DNS:conference.chat.example.com')
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])
    expect(leaf.verify(ca.publicKey)).toBe(true)
    expect(ca.ca).toBe(true)
  })

  it('the certs command wrote a CA and a certificate per domain', () => {
    for (const domain of ['c.test', 'd.test']) {
      const cert = new X509Certificate(readFileSync(join(dir, 'dev-certs', `${domain}.crt`)))
      expect(cert.subjectAltName).toBe(`DNS:${domain}`)
    }
  })

  it('says which commands it does not run, and why', () => {
    const skipped = guideCommandBlocks(GUIDE).filter((block) => !block.run)
    expect(skipped.map((block) => block.code.split(' ')[0])).toEqual([
      'certbot',
      'CLOUDFLARE_DNS_API_TOKEN=...',
    ])
    for (const block of skipped) expect(block.reason).toMatch(/public domain/)
  })
})
