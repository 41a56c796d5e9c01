import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConfigCheckReport, type ConfigFinding, checkConfigFile } from '../src/index.js'
import { type ConfigBench, createConfigBench, daysFromNow } from './fixtures.js'

describe('checkConfigFile', () => {
  let bench: ConfigBench
  let good: { cert: string; key: string }
  const secret = { secret: 'a-long-enough-dialback-secret' }

  beforeAll(async () => {
    bench = await createConfigBench()
    good = await bench.certificate('good')
  })
  afterAll(() => bench.cleanup())

  const check = async (settings: object, options = {}) =>
    checkConfigFile(await bench.configFile(`config-${Math.random()}.json`, settings), options)
  const only = (report: ConfigCheckReport, code: string): ConfigFinding => {
    const found = report.findings.filter((finding) => finding.code === code)
    if (found.length !== 1)
      throw new Error(`expected one ${code}, got ${JSON.stringify(report.findings, null, 2)}`)
    return found[0]!
  }
  const withCert = (files: { cert: string; key: string }, extra: object = {}) => ({
    domains: ['c.test'],
    tls: { ...files, ca: [bench.caFile] },
    dialback: secret,
    ...extra,
  })

  it('a sound configuration has no findings and a fingerprint', async () => {
    const report = await check(withCert(good))
    expect(report).toMatchObject({ ok: true, summary: { errors: 0, warnings: 0 }, findings: [] })
    expect(report.fingerprint).toMatch(/^[0-9a-f]{64}$/)
  })

  it('schema problems come from the config package, with their path, fix and line', async () => {
    const file = join(bench.dir, 'broken.yaml')
    await writeFile(file, ['domains: [c.test]', 'security:', '  tls: requried', ''].join('\n'))
    const report = await checkConfigFile(file)
    expect(report).toMatchObject({ ok: false, fingerprint: null })
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'BAD_VALUE',
        path: 'security.tls',
        fix: "did you mean 'required'?",
        line: 3,
      }),
    ])
  })

  it('the SIP/XMPP domain conflict of the config package names the domain and the fix', async () => {
    const report = await check(
      withCert(good, { policy: { sipFederatedDomains: ['x.test'], allow: ['x.test'] } }),
    )
    const finding = only(report, 'SIP_CONFLICT')
    expect(finding.path).toBe('policy.sipFederatedDomains[0]')
    expect(finding.message).toContain('x.test is still a SIP federated domain')
    expect(finding.fix).toContain('remove x.test from policy.sipFederatedDomains')
  })

  it('a certificate that does not name a local domain: CERT_DOMAIN_NOT_COVERED at tls.cert, naming what it presents', async () => {
    const other = await bench.certificate('other', { dnsNames: ['other.test'], commonName: 'c.test' })
    const finding = only(await check(withCert(other)), 'CERT_DOMAIN_NOT_COVERED')
    expect(finding).toMatchObject({ severity: 'error', path: 'tls.cert' })
    expect(finding.message).toContain('does not name c.test (it presents DNS:other.test)')
    expect(finding.fix).toContain('DNS:c.test')
  })

  it('served email domains need a certificate too, per domain under tls.certificates', async () => {
    const report = await check(
      withCert(good, {
        emailForFederation: { enabled: true, emailDomains: ['mail.test'] },
        tls: { ...good, ca: [bench.caFile], certificates: { 'mail.test': good } },
      }),
    )
    const finding = only(report, 'CERT_DOMAIN_NOT_COVERED')
    expect(finding.path).toBe('tls.certificates.mail.test.cert')
    expect(finding.message).toContain('mail.test')
  })

  it('an expired certificate is an error, one expiring within --expiry-days a warning', async () => {
    const expired = await bench.certificate('expired', {
      notBefore: daysFromNow(-90),
      notAfter: daysFromNow(-1),
    })
    expect(only(await check(withCert(expired)), 'CERT_EXPIRED')).toMatchObject({
      severity: 'error',
      path: 'tls.cert',
    })
    const soon = await bench.certificate('soon', { notAfter: daysFromNow(12) })
    const warning = only(await check(withCert(soon)), 'CERT_EXPIRING')
    expect(warning).toMatchObject({ severity: 'warning', path: 'tls.cert' })
    expect(warning.message).toMatch(/in 1[12] day\(s\)/)
    expect((await check(withCert(soon), { expiryDays: 7 })).findings).toEqual([])
  })

  it('a key that does not belong to the certificate: CERT_KEY_MISMATCH at tls.key', async () => {
    const stranger = await bench.certificate('stranger', { freshKey: true })
    const finding = only(await check(withCert({ cert: good.cert, key: stranger.key })), 'CERT_KEY_MISMATCH')
    expect(finding).toMatchObject({ severity: 'error', path: 'tls.key' })
  })

  it('extended key usage: codeSigning only is CERT_PURPOSE, serverAuth only warns CERT_NO_CLIENT_AUTH', async () => {
    const signing = await bench.certificate('signing', { extendedKeyUsage: ['codeSigning'] })
    expect(only(await check(withCert(signing)), 'CERT_PURPOSE').severity).toBe('error')
    const serverOnly = await bench.certificate('server-only', { extendedKeyUsage: ['serverAuth'] })
    const warning = only(await check(withCert(serverOnly)), 'CERT_NO_CLIENT_AUTH')
    expect(warning.fix).toContain('clientAuth')
    const outboundOff = withCert(serverOnly, { security: { saslExternal: { outbound: false } } })
    expect((await check(outboundOff)).findings).toEqual([])
  })

  it('unreadable certificate and CA files are named with their setting', async () => {
    const garbage = join(bench.dir, 'garbage.pem')
    await writeFile(garbage, 'not a certificate\n')
    const report = await check({ ...withCert(good), tls: { ...good, ca: [garbage] } })
    expect(only(report, 'CA_UNREADABLE')).toMatchObject({ path: 'tls.ca[0]', severity: 'error' })
    const badCert = await check(withCert({ cert: garbage, key: good.key }))
    expect(only(badCert, 'CERT_UNREADABLE').path).toBe('tls.cert')
  })

  it('TLS required with no certificate at all: TLS_REQUIRED_WITHOUT_CERTIFICATE (the federation could not start)', async () => {
    const finding = only(
      await check({ domains: ['c.test'], dialback: secret }),
      'TLS_REQUIRED_WITHOUT_CERTIFICATE',
    )
    expect(finding).toMatchObject({ severity: 'error', path: 'tls' })
    expect(finding.fix).toContain("security.tls to 'opportunistic'")
  })

  it("opportunistic TLS with SASL EXTERNAL and no certificate warns that EXTERNAL can't be used", async () => {
    const report = await check({ domains: ['c.test'], dialback: secret, security: { tls: 'opportunistic' } })
    expect(only(report, 'SASL_EXTERNAL_WITHOUT_CERTIFICATE').severity).toBe('warning')
    expect(report.ok).toBe(true)
  })

  it('dialback on without a secret: DIALBACK_SECRET_MISSING, a warning', async () => {
    const report = await check({ domains: ['c.test'], tls: good })
    const finding = only(report, 'DIALBACK_SECRET_MISSING')
    expect(finding).toMatchObject({ severity: 'warning', path: 'dialback.secret' })
    expect(finding.fix).toContain('the same on every node')
    const off = await check({ domains: ['c.test'], tls: good, security: { dialback: false } })
    expect(off.findings).toEqual([])
  })

  it('a route for a domain the policy refuses: ROUTE_DENIED_BY_POLICY, with the fix for deny and allowlist modes', async () => {
    const denied = only(
      await check(
        withCert(good, {
          routes: { 'x.spam.test': [{ host: '192.0.2.1' }] },
          policy: { deny: ['*.spam.test'] },
        }),
      ),
      'ROUTE_DENIED_BY_POLICY',
    )
    expect(denied).toMatchObject({ severity: 'error', path: 'routes.x.spam.test' })
    expect(denied.message).toContain('matches deny entry *.spam.test')
    const notAllowed = only(
      await check(
        withCert(good, {
          routes: { 'b.test': [{ host: '192.0.2.1' }] },
          policy: { mode: 'allowlist', allow: ['a.test'] },
        }),
      ),
      'ROUTE_DENIED_BY_POLICY',
    )
    expect(notAllowed.fix).toBe('add b.test to policy.allow to federate with it, or remove routes.b.test')
  })

  it('an expired CA is a warning: no peer can chain to it', async () => {
    const { createTestCA } = await import('@xmpp-federation/testing')
    const old = await createTestCA({ notBefore: daysFromNow(-400), notAfter: daysFromNow(-1) })
    const oldFile = join(bench.dir, 'old-ca.crt')
    await writeFile(oldFile, old.certPem)
    const report = await check({ ...withCert(good), tls: { ...good, ca: [bench.caFile, oldFile] } })
    expect(only(report, 'CA_EXPIRED')).toMatchObject({ severity: 'warning', path: 'tls.ca[1]' })
  })
})
