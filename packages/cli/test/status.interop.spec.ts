import { mkdir, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createFederation, type Federation, xml } from '@xmpp-federation/router'
import { stopAllPeers } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DNS_ONLY, type DoctorLab, PEERS, startDoctorLab } from '../../diagnostics/test/doctor-lab.js'
import { runCli } from './cli-harness.js'

// `xmpp-federation status` against a real federation (the router) that has talked to the lab's
// Prosody servers, its status() served over HTTP the way the gateway example serves it.

describe('xmpp-federation status against a running federation', () => {
  let lab: DoctorLab
  let federation: Federation
  let server: Server
  let url: string
  const transcripts = process.env.XF_DOCTOR_TRANSCRIPTS

  beforeAll(async () => {
    lab = await startDoctorLab()
    federation = createFederation({ config: lab.config, backoff: { initialMs: 60_000, maxMs: 60_000 } })
    await federation.start()
    const message = (to: string) =>
      xml('message', { from: 'bot@c.test', to, type: 'chat' }, xml('body', {}, 'hi'))
    await federation.send(message(`alice@${PEERS.good.domain}`))
    await federation.send(message(`alice@${PEERS.expiring.domain}`))
    await federation.send(message(`alice@${DNS_ONLY.nxdomain}`)).catch(() => {})
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(federation.status()))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    if (transcripts) await mkdir(transcripts, { recursive: true })
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    await federation?.stop()
    await stopAllPeers()
    await lab?.workdir.cleanup()
  })

  it('shows each remote domain: established with EXTERNAL, an expiring certificate, one that failed', async () => {
    const human = await runCli(['status', '--url', url])
    if (transcripts)
      await writeFile(
        join(transcripts, 'status.txt'),
        `$ xmpp-federation status --url ${url}\n${human.stdout}`,
      )
    expect(human.stdout).toMatch(/✔ good\.test +c\.test +out +established +EXTERNAL +TLSv1\.3 +CN=good\.test/)
    expect(human.stdout).toMatch(/⚠ expiring\.test .* established/)
    expect(human.stdout).toContain('PEER_CERT_EXPIRING')
    expect(human.stdout).toMatch(/✖ nxdomain\.test .*remote-server-not-found/)
    expect(human.code).toBe(1)
  })

  it('--json carries the router status with a verdict per domain; --metrics the Prometheus text', async () => {
    const json = (await runCli(['status', '--url', url, '--json'])).json()
    const domains = json.domains as { remote: string; verdict: string; authMechanism?: string }[]
    expect(domains.find((d) => d.remote === PEERS.good.domain)).toMatchObject({
      verdict: 'pass',
      authMechanism: 'EXTERNAL',
    })
    const metrics = await runCli(['status', '--url', url, '--metrics'])
    if (transcripts) await writeFile(join(transcripts, 'metrics.txt'), metrics.stdout)
    expect(metrics.stdout).toContain(
      'xmpp_federation_sessions{remote="good.test",local="c.test",direction="outbound",mechanism="EXTERNAL",state="established"} 1',
    )
  })
})
