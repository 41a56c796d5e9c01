import { createSocket, type Socket } from 'node:dgram'
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { stopAllPeers } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DNS_IP,
  DNS_ONLY,
  type DoctorLab,
  PEERS,
  PROSODY_IP,
  startDoctorLab,
} from '../../diagnostics/test/doctor-lab.js'
import { runCli } from './cli-harness.js'

// `xmpp-federation doctor` against the row of misconfigured Prosody servers of the diagnostics
// tests: the exit code, the code in --json, and the human output. XF_DOCTOR_TRANSCRIPTS=<dir>
// writes each human output there (docs/troubleshooting.md is built from them).

interface Scenario {
  name: string
  code: string
  exit: 0 | 1
  /** The command line after `xmpp-federation`; `federation.json` stands for the lab's configuration. */
  args: (lab: DoctorLab) => string[] | Promise<string[]>
}

const withConfig = (domain: string) => (lab: DoctorLab) => ['doctor', domain, '--config', lab.configFile]

const SCENARIOS: Scenario[] = [
  { name: 'ok', code: 'AUTH_OK', exit: 0, args: withConfig(PEERS.good.domain) },
  {
    name: 'name-mismatch',
    code: 'TLS_CERT_NAME_MISMATCH',
    exit: 1,
    args: withConfig(PEERS.wrongName.domain),
  },
  { name: 'expired', code: 'TLS_CERT_EXPIRED', exit: 1, args: withConfig(PEERS.expired.domain) },
  { name: 'expiring', code: 'TLS_CERT_EXPIRING', exit: 0, args: withConfig(PEERS.expiring.domain) },
  {
    name: 'not-yet-valid',
    code: 'TLS_CERT_NOT_YET_VALID',
    exit: 1,
    args: withConfig(PEERS.notYetValid.domain),
  },
  { name: 'untrusted', code: 'TLS_UNTRUSTED', exit: 1, args: withConfig(PEERS.untrusted.domain) },
  { name: 'chain-invalid', code: 'TLS_CHAIN_INVALID', exit: 1, args: withConfig(PEERS.brokenChain.domain) },
  { name: 'purpose', code: 'TLS_CERT_PURPOSE', exit: 1, args: withConfig(PEERS.purpose.domain) },
  { name: 'port-closed', code: 'TCP_REFUSED', exit: 1, args: withConfig(DNS_ONLY.closed) },
  { name: 'no-srv', code: 'DNS_SRV_NONE', exit: 0, args: withConfig(PEERS.fallback.domain) },
  { name: 'nxdomain', code: 'DNS_SRV_NXDOMAIN', exit: 1, args: withConfig(DNS_ONLY.nxdomain) },
  { name: 'no-address', code: 'DNS_NO_ADDRESS', exit: 1, args: withConfig(DNS_ONLY.noAddress) },
  { name: 'srv-opt-out', code: 'DNS_SRV_UNAVAILABLE', exit: 1, args: withConfig(DNS_ONLY.optOut) },
  { name: 'host-unknown', code: 'STREAM_HOST_UNKNOWN', exit: 1, args: withConfig(DNS_ONLY.wrongHost) },
  {
    name: 'direct-tls-mismatch',
    code: 'TLS_HANDSHAKE_FAILED',
    exit: 1,
    args: withConfig(DNS_ONLY.directTlsOnPlainPort),
  },
  {
    name: 'dialback-disabled',
    code: 'DIALBACK_DISABLED_REMOTE',
    exit: 0,
    args: withConfig(PEERS.noDialback.domain),
  },
  {
    name: 'external-not-offered',
    code: 'SASL_EXTERNAL_NOT_OFFERED',
    exit: 1,
    args: withConfig(PEERS.noExternal.domain),
  },
  {
    name: 'certificate-required',
    code: 'REMOTE_REQUIRES_CERTIFICATE',
    exit: 1,
    args: withConfig(PEERS.distrusts.domain),
  },
  { name: 'tls-disabled', code: 'STARTTLS_NOT_OFFERED', exit: 1, args: withConfig(PEERS.plain.domain) },
  {
    name: 'policy-denied',
    code: 'POLICY_DENIED',
    exit: 1,
    args: async (lab) => {
      const config = await lab.writeConfig('deny.json', { policy: { deny: [PEERS.good.domain] } })
      return ['doctor', PEERS.good.domain, '--config', config]
    },
  },
  {
    name: 'tls-required-by-remote',
    code: 'TLS_REQUIRED_BY_REMOTE',
    exit: 1,
    args: async (lab) => {
      const config = await lab.writeConfig('no-tls.json', {
        // Without TLS no certificate can be valid: requiring one would leave no way to authenticate.
        security: { tls: 'none', requireValidCertificate: false },
      })
      return ['doctor', PEERS.good.domain, '--config', config]
    },
  },
  {
    name: 'stream-error',
    code: 'STREAM_ERROR',
    exit: 1,
    // The c2s port of a server: XMPP, but not server-to-server.
    args: (lab) => [...withConfig(PEERS.good.domain)(lab), '--route', `${PROSODY_IP}:${lab.c2sPorts.good}`],
  },
  {
    name: 'dns-failed',
    code: 'DNS_FAILED',
    exit: 1,
    // Nothing listens on this UDP port: the DNS questions are refused.
    args: () => ['doctor', 'a.test', '--dns-server', `${DNS_IP}:${SILENT_DNS_PORT + 1}`],
  },
  {
    name: 'dns-timeout',
    code: 'DNS_TIMEOUT',
    exit: 1,
    args: () => ['doctor', 'a.test', '--dns-server', `${DNS_IP}:${SILENT_DNS_PORT}`, '--timeout', '500'],
  },
]

/** A UDP port that takes DNS questions and never answers. */
const SILENT_DNS_PORT = 25353

describe('xmpp-federation doctor against misconfigured Prosody servers', () => {
  let lab: DoctorLab
  const transcripts = process.env.XF_DOCTOR_TRANSCRIPTS

  let silentDns: Socket

  beforeAll(async () => {
    lab = await startDoctorLab()
    silentDns = createSocket('udp4')
    await new Promise<void>((resolve) => silentDns.bind(SILENT_DNS_PORT, DNS_IP, resolve))
    if (transcripts) await mkdir(transcripts, { recursive: true })
  })

  afterAll(async () => {
    silentDns?.close()
    await stopAllPeers()
    await lab?.workdir.cleanup()
  })

  it('the lab configuration itself passes check-config', async () => {
    const result = await runCli(['check-config', lab.configFile])
    expect(result.code, result.stdout).toBe(0)
  })

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.code}, exit ${scenario.exit}`, async () => {
      const args = await scenario.args(lab)
      const json = await runCli([...args, '--json'])
      const codes = (json.json().results as { code: string }[]).map((result) => result.code)
      expect(codes, json.stdout).toContain(scenario.code)
      expect(json.code, json.stdout).toBe(scenario.exit)
      const human = await runCli(args)
      expect(human.code).toBe(scenario.exit)
      expect(human.stdout).toContain(scenario.code)
      if (transcripts) {
        const shown = args.map((arg) => (arg.startsWith(lab.workdir.path) ? basename(arg) : arg))
        const command = `$ xmpp-federation ${shown.join(' ')}`
        await writeFile(join(transcripts, `${scenario.name}.txt`), `${command}\n${human.stdout}`)
      }
    })
  }

  it('--strict makes a warning (a certificate expiring soon) exit 1', async () => {
    const result = await runCli(['doctor', PEERS.expiring.domain, '--config', lab.configFile, '--strict'])
    expect(result.code).toBe(1)
  })

  it('without --config, with --dns-server and --ca: the remote side only, exit 0', async () => {
    const caFile = join(lab.workdir.path, 'certs', 'lab-ca.crt')
    const result = await runCli([
      'doctor',
      PEERS.noExternal.domain,
      '--dns-server',
      lab.dns.address,
      '--ca',
      caFile,
    ])
    expect(result.code, result.stdout).toBe(0)
    expect(result.stdout).toContain('no local domain: remote side only')
    expect(result.stdout).toContain('AUTH_SKIPPED')
  })
})
