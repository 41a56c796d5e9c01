import { stopAllPeers } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DoctorReport, runDoctor, type StepResult } from '../src/index.js'
import { CLOSED_PORT, DNS_ONLY, type DoctorLab, PEERS, PROSODY_IP, startDoctorLab } from './doctor-lab.js'

// The doctor against real Prosody 0.12 servers, each set up wrong in one way, found through a
// real DNS server (dnsmasq). Every misconfiguration must come out as its own stable code.

describe('doctor against misconfigured Prosody servers', () => {
  let lab: DoctorLab
  const doctor = (domain: string) => runDoctor({ domain, config: lab.config })

  const lines = (report: DoctorReport) =>
    report.results.map((r) => `${r.status} ${r.step} ${r.code} ${r.target ?? ''} ${r.message}`).join('\n')
  const find = (report: DoctorReport, code: string): StepResult => {
    const found = report.results.find((result) => result.code === code)
    if (!found) throw new Error(`no ${code} in:\n${lines(report)}`)
    return found
  }
  const failures = (report: DoctorReport) =>
    report.results.filter((result) => result.status === 'fail').map((result) => result.code)

  beforeAll(async () => {
    lab = await startDoctorLab()
  })

  afterAll(async () => {
    await stopAllPeers()
    await lab?.workdir.cleanup()
  })

  it('a well-configured peer passes every step, over STARTTLS and direct TLS, and authenticates with EXTERNAL', async () => {
    const report = await doctor(PEERS.good.domain)
    expect(report.ok, lines(report)).toBe(true)
    expect(report.summary.warn, lines(report)).toBe(0)
    expect(find(report, 'DIRECT_TLS_OK').target).toBe(
      `${PROSODY_IP}:${lab.ports.good}`.replace(String(lab.ports.good), '25298'),
    )
    expect(find(report, 'STARTTLS_OK').message).toContain('required by the remote')
    expect(report.results.filter((r) => r.code === 'DNS_SRV_OK')).toHaveLength(2)
    expect(find(report, 'AUTH_OK').message).toContain('authenticated with EXTERNAL')
  })

  it('certificate for another name: TLS_CERT_NAME_MISMATCH, and the authentication is refused on our side', async () => {
    const report = await doctor(PEERS.wrongName.domain)
    const mismatch = find(report, 'TLS_CERT_NAME_MISMATCH')
    expect(mismatch).toMatchObject({ status: 'fail', side: 'remote' })
    expect(mismatch.message).toContain('DNS:other.test')
    expect(mismatch.hint).toContain('DNS:wrongname.test')
    expect(failures(report)).toEqual(['TLS_CERT_NAME_MISMATCH', 'AUTH_FAILED'])
  })

  it('expired certificate: TLS_CERT_EXPIRED, while its chain is still judged trusted', async () => {
    const report = await doctor(PEERS.expired.domain)
    expect(find(report, 'TLS_CERT_EXPIRED')).toMatchObject({ status: 'fail', step: 'expiry', side: 'remote' })
    expect(find(report, 'TLS_CHAIN_OK').status).toBe('pass')
    expect(failures(report)).toEqual(['TLS_CERT_EXPIRED', 'AUTH_FAILED'])
  })

  it('certificate expiring within 30 days: TLS_CERT_EXPIRING is a warning, federation still works', async () => {
    const report = await doctor(PEERS.expiring.domain)
    expect(find(report, 'TLS_CERT_EXPIRING')).toMatchObject({ status: 'warn', side: 'remote' })
    expect(find(report, 'TLS_CERT_EXPIRING').message).toMatch(/in 10 day\(s\)/)
    expect(report.ok).toBe(true)
    expect(find(report, 'AUTH_OK').status).toBe('pass')
  })

  it('certificate not valid yet: TLS_CERT_NOT_YET_VALID, a clock on either side or an early install', async () => {
    const report = await doctor(PEERS.notYetValid.domain)
    expect(find(report, 'TLS_CERT_NOT_YET_VALID')).toMatchObject({ status: 'fail', side: 'either' })
    expect(failures(report)).toEqual(['TLS_CERT_NOT_YET_VALID', 'AUTH_FAILED'])
  })

  it('an expired intermediate in the presented chain: TLS_CHAIN_INVALID', async () => {
    const report = await doctor(PEERS.brokenChain.domain)
    const broken = find(report, 'TLS_CHAIN_INVALID')
    expect(broken).toMatchObject({ status: 'fail', side: 'remote' })
    expect(broken.message).toContain('Lapsed Intermediate CA')
    expect(failures(report)).toEqual(['TLS_CHAIN_INVALID', 'AUTH_FAILED'])
  })

  it('certificate from a CA we do not trust: TLS_UNTRUSTED, fixable on either side', async () => {
    const report = await doctor(PEERS.untrusted.domain)
    const untrusted = find(report, 'TLS_UNTRUSTED')
    expect(untrusted).toMatchObject({ status: 'fail', side: 'either' })
    expect(untrusted.message).toContain('Stranger CA')
    expect(untrusted.hint).toContain('tls.ca')
    expect(failures(report)).toEqual(['TLS_UNTRUSTED', 'AUTH_FAILED'])
  })

  it('certificate not meant for TLS (codeSigning only): TLS_CERT_PURPOSE', async () => {
    const report = await doctor(PEERS.purpose.domain)
    expect(find(report, 'TLS_CERT_PURPOSE')).toMatchObject({ status: 'fail', step: 'key-usage' })
    expect(find(report, 'TLS_CHAIN_OK').status).toBe('pass')
    expect(failures(report)).toEqual(['TLS_CERT_PURPOSE', 'AUTH_FAILED'])
  })

  it('port closed: TCP_REFUSED names the address, and no authentication is attempted', async () => {
    const report = await doctor(DNS_ONLY.closed)
    const refused = find(report, 'TCP_REFUSED')
    expect(refused).toMatchObject({ status: 'fail', side: 'remote', target: `${PROSODY_IP}:${CLOSED_PORT}` })
    expect(find(report, 'AUTH_SKIPPED').status).toBe('skip')
    expect(failures(report)).toEqual(['TCP_REFUSED'])
  })

  it('no SRV records but an A record: DNS_SRV_NONE warns, the fallback to port 5269 works', async () => {
    const report = await doctor(PEERS.fallback.domain)
    expect(find(report, 'DNS_SRV_NONE')).toMatchObject({ status: 'warn', side: 'remote' })
    expect(find(report, 'DNS_ADDRESS_OK').message).toBe('fallback.test → 127.0.0.3')
    expect(report.targets).toEqual(['127.0.0.3:5269'])
    expect(report.ok, lines(report)).toBe(true)
    expect(find(report, 'AUTH_OK').status).toBe('pass')
  })

  it('a domain that does not exist: DNS_SRV_NXDOMAIN', async () => {
    const report = await doctor(DNS_ONLY.nxdomain)
    expect(find(report, 'DNS_SRV_NXDOMAIN')).toMatchObject({ status: 'fail', step: 'dns' })
    expect(report.targets).toEqual([])
  })

  it('an SRV target without an address: DNS_NO_ADDRESS', async () => {
    const report = await doctor(DNS_ONLY.noAddress)
    expect(find(report, 'DNS_NO_ADDRESS').message).toContain('ghost.noaddress.test')
  })

  it('an SRV record with the "." target: DNS_SRV_UNAVAILABLE', async () => {
    const report = await doctor(DNS_ONLY.optOut)
    expect(find(report, 'DNS_SRV_UNAVAILABLE').status).toBe('fail')
  })

  it('SRV pointing at a server that does not host the domain: STREAM_HOST_UNKNOWN', async () => {
    const report = await doctor(DNS_ONLY.wrongHost)
    expect(find(report, 'STREAM_HOST_UNKNOWN')).toMatchObject({ status: 'fail', side: 'remote' })
  })

  it('_xmpps-server published for a STARTTLS port: TLS_HANDSHAKE_FAILED on direct TLS', async () => {
    const report = await doctor(DNS_ONLY.directTlsOnPlainPort)
    expect(find(report, 'TLS_HANDSHAKE_FAILED')).toMatchObject({ status: 'fail', step: 'direct-tls' })
  })

  it('dialback disabled on the remote: DIALBACK_DISABLED_REMOTE, a warning while EXTERNAL works', async () => {
    const report = await doctor(PEERS.noDialback.domain)
    expect(find(report, 'DIALBACK_DISABLED_REMOTE')).toMatchObject({ status: 'warn', side: 'remote' })
    expect(find(report, 'AUTH_OK').status).toBe('pass')
  })

  it('remote that does not trust our CA: SASL_EXTERNAL_NOT_OFFERED, and AUTH_FAILED without dialback', async () => {
    const report = await doctor(PEERS.noExternal.domain)
    expect(find(report, 'SASL_EXTERNAL_NOT_OFFERED')).toMatchObject({ status: 'warn', side: 'either' })
    expect(find(report, 'DIALBACK_OFFERED').status).toBe('pass')
    const auth = find(report, 'AUTH_FAILED')
    expect(auth.message).toContain('tried EXTERNAL')
  })

  it('remote that requires a certificate and does not trust ours: REMOTE_REQUIRES_CERTIFICATE', async () => {
    const report = await doctor(PEERS.distrusts.domain)
    const refused = find(report, 'REMOTE_REQUIRES_CERTIFICATE')
    expect(refused).toMatchObject({ status: 'fail', side: 'either' })
    expect(refused.message).toContain('does not accept our certificate for c.test')
    expect(failures(report)).toEqual(['REMOTE_REQUIRES_CERTIFICATE', 'AUTH_FAILED'])
  })

  it('TLS disabled on the remote (plain mode): STARTTLS_NOT_OFFERED fails under security.tls required', async () => {
    const report = await doctor(PEERS.plain.domain)
    expect(find(report, 'STARTTLS_NOT_OFFERED')).toMatchObject({
      status: 'fail',
      step: 'starttls',
      side: 'remote',
    })
    expect(find(report, 'SASL_EXTERNAL_NOT_OFFERED').status).toBe('skip')
    expect(failures(report)).toEqual(['STARTTLS_NOT_OFFERED', 'AUTH_FAILED'])
  })

  it('without a configuration it examines the remote side only, and skips authentication', async () => {
    const report = await runDoctor({
      domain: PEERS.good.domain,
      dnsServers: [lab.dns.address],
      ca: [lab.ca.certPem],
    })
    expect(report.localDomain).toBeNull()
    // good.test demands a certificate it can validate (s2s_secure_auth), and the doctor has none.
    expect(find(report, 'REMOTE_REQUIRES_CERTIFICATE').status).toBe('skip')
    expect(find(report, 'AUTH_SKIPPED').message).toContain('no local domain')
    expect(report.ok, lines(report)).toBe(true)
  })

  it('a static route (--route) replaces DNS', async () => {
    const report = await runDoctor({
      domain: PEERS.good.domain,
      config: lab.config,
      routes: [{ host: PROSODY_IP, port: lab.ports.good }],
    })
    expect(find(report, 'DNS_STATIC_ROUTE').message).toContain(`${PROSODY_IP}:${lab.ports.good}`)
    expect(report.ok, lines(report)).toBe(true)
  })
})
