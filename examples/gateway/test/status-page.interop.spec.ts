import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CliIo, run } from '@xmpp-federation/cli'
import { type FederationConfig, loadConfigFile } from '@xmpp-federation/config'
import { createStatusHandler, type FederationStatus } from '@xmpp-federation/diagnostics'
import { createWorkdir, type Workdir } from '@xmpp-federation/testing'
import { type Browser, type ConsoleMessage, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GatewayClient } from '../src/api-client.js'
import { writeDemoDeployment } from '../src/demo-setup.js'
import { type Gateway, startGateway } from '../src/gateway.js'
import { createLog } from '../src/log.js'

// The status page in a real browser (Debian's Chromium, driven by playwright-core) against
// two gateways of this library federating over real TLS from a test CA: rows appear and
// change as streams open and fail (pushed over SSE, no reload), the doctor runs from the page,
// the keyboard reaches every action, the CSP holds. Then `diff` over two running gateways.

const C_IP = '127.0.0.212'
const D_IP = '127.0.0.213'
const C2_IP = '127.0.0.214'
const FAKE_IP = '127.0.0.215'
const SECRET = 'dialback-secret-of-the-status-page-test'
// The screenshot docs/operations.md shows: written there when XF_UPDATE_DOCS=1 (so that a
// plain `pnpm test` leaves the work tree clean), else beside the other run files in .tmp.
const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const SCREENSHOT =
  process.env.XF_UPDATE_DOCS === '1'
    ? join(REPO, 'docs/images/status-page.png')
    : join(REPO, '.tmp/screenshots/status-page.png')
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const silent = createLog({ write: () => {} })

// Page code as text: this package compiles for Node, without the DOM's types.
const activeLabel = (page: Page) =>
  page.evaluate<string | null>("document.activeElement?.getAttribute('aria-label') ?? null")

describe('the status page in a browser', () => {
  let workdir: Workdir
  let browser: Browser
  let gatewayC: Gateway
  let gatewayD: Gateway | undefined
  let configC: FederationConfig
  let c: GatewayClient
  const consoleMessages: string[] = []

  beforeAll(async () => {
    workdir = await createWorkdir()
    const files = await writeDemoDeployment(
      workdir.path,
      [
        { domain: 'c.test', ip: C_IP, httpPort: 0 },
        { domain: 'd.test', ip: D_IP, httpPort: 0 },
      ],
      // Port 1 on our own address refuses at once: a remote server that cannot be reached.
      { routes: { 'closed.test': [{ host: C_IP, port: 1 }] }, dialback: { secret: SECRET } },
    )
    configC = await loadConfigFile(files['c.test']!)
    gatewayC = await startGateway(configC, { http: { host: C_IP, port: 0 }, log: silent })
    gatewayD = await startGateway(await loadConfigFile(files['d.test']!), {
      http: { host: D_IP, port: 0 },
      log: silent,
    })
    c = new GatewayClient(gatewayC.url)
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS, // playwright gives it a fresh, temporary profile
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await gatewayC?.stop()
    await gatewayD?.stop()
    await workdir?.cleanup()
  })

  async function openPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1600, height: 720 } })
    const record = (message: ConsoleMessage) => consoleMessages.push(`${message.type()}: ${message.text()}`)
    page.on('console', record)
    page.on('pageerror', (error) => consoleMessages.push(`pageerror: ${error.message}`))
    return page
  }
  const row = (page: Page, domain: string) =>
    page.locator('#rows tr', { has: page.locator(`th:text-is("${domain}")`) })

  it('shows a row when a stream opens and changes it when the peer goes away, without reload', async () => {
    const page = await openPage()
    const response = await page.goto(`${gatewayC.url}/api/ui`)
    expect(response!.status()).toBe(200)
    const csp = response!.headers()['content-security-policy']!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(response!.headers()['x-content-type-options']).toBe('nosniff')
    await expect.poll(() => page.locator('#connection').textContent()).toContain('live')

    await c.sendMessage({ from: 'bot@c.test', to: 'eve@d.test', body: 'hello' })
    const d = row(page, 'd.test')
    await expect.poll(() => d.locator('td').nth(1).textContent(), { timeout: 10_000 }).toBe('✔ established')
    expect(await d.locator('td').nth(2).textContent()).toBe('EXTERNAL')
    expect(await d.locator('td').nth(3).textContent()).toMatch(/^TLSv1\.[23]$/)
    // The test CA's certificate: its expiry as a date and days.
    expect(await d.locator('td').nth(4).textContent()).toMatch(/^\d{4}-\d\d-\d\d \(in \d+ days\)$/)

    // A domain routed to a closed port: the send fails, its row says why.
    await c.sendMessage({ from: 'bot@c.test', to: 'x@closed.test', body: 'anyone?' }).catch(() => {})
    const closed = row(page, 'closed.test')
    await expect
      .poll(() => closed.locator('td').nth(1).textContent(), { timeout: 10_000 })
      .toBe('✖ backing-off')
    expect(await closed.locator('td').nth(7).textContent()).toMatch(
      /^remote-server-not-found: .*ECONNREFUSED/,
    )

    // The keyboard reaches every action, in the order of the rows.
    const labels = await page
      .locator('#rows button')
      .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label')))
    expect(labels).toEqual(expect.arrayContaining(['Run doctor for closed.test', 'Run doctor for d.test']))
    const reached: string[] = []
    await page.locator('body').focus()
    // One round of Tab through the page (it wraps to the address bar and back): stop at the first repeat.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab')
      const label = await activeLabel(page)
      if (label === null) continue
      if (reached.includes(label)) break
      reached.push(label)
    }
    expect(reached).toEqual(labels)
    // Focus is visible: the keyboard focus draws an outline.
    expect(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid')

    // The doctor, from the keyboard: a refused port is a failed tcp step, with its code.
    await page.getByRole('button', { name: 'Run doctor for closed.test' }).focus()
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.locator('#doctor-summary').textContent(), { timeout: 20_000 })
      .toMatch(/^✖ Doctor for closed\.test: [1-9]\d* failed/)
    const steps = await page.locator('#doctor-rows tr').allTextContents()
    expect(steps.some((step) => step.startsWith('✖ failtcpTCP_REFUSED'))).toBe(true)
    // Focus stayed on the button through the run and the updates.
    expect(await activeLabel(page)).toBe('Run doctor for closed.test')

    await page.screenshot({ path: SCREENSHOT, fullPage: true })

    // The peer stops: pushed over the event stream, the page is never reloaded.
    let navigations = 0
    page.on('framenavigated', () => navigations++)
    await gatewayD!.stop()
    gatewayD = undefined
    await expect
      .poll(() => d.locator('td').nth(1).textContent(), { timeout: 15_000 })
      .not.toBe('✔ established')
    await c.sendMessage({ from: 'bot@c.test', to: 'eve@d.test', body: 'still there?' }).catch(() => {})
    await expect.poll(() => d.locator('td').nth(7).textContent(), { timeout: 15_000 }).not.toBe('—')
    expect(navigations).toBe(0)
    // Screen readers hear it: the live region names the change.
    await expect
      .poll(() => page.locator('#announce').textContent())
      .toMatch(/d\.test outbound: (established → )?\S+/)
    expect(await page.locator('#announce').getAttribute('aria-live')).toBe('polite')

    expect(consoleMessages.filter((message) => /Content.Security.Policy|Refused to/i.test(message))).toEqual(
      [],
    )
    expect(consoleMessages.filter((message) => message.startsWith('pageerror'))).toEqual([])
    await page.close()
  }, 60_000)

  it('opens with ?token= once, then by cookie; shows a peer <script> as text and never runs it', async () => {
    const evil = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    const status: FederationStatus = {
      state: 'running',
      localDomains: ['c.test'],
      domains: [
        {
          remote: 'evil.test',
          local: 'c.test',
          direction: 'inbound',
          state: 'closing',
          authMechanism: undefined,
          tlsVersion: undefined,
          peerCertificate: undefined,
          queued: 0,
          unacknowledged: 0,
          stanzasIn: 1,
          stanzasOut: 0,
          lastError: { condition: 'undefined-condition', message: evil, at: new Date().toISOString() },
          rttMs: undefined,
          target: undefined,
          bidi: false,
        },
      ],
    }
    const handler = createStatusHandler({
      federation: { status: () => status },
      token: 'browser-t0ken',
      basePath: '/ops',
    })
    const server: Server = createServer((req, res) => handler(req, res))
    await new Promise<void>((resolve) => server.listen(0, FAKE_IP, resolve))
    const origin = `http://${FAKE_IP}:${(server.address() as AddressInfo).port}`
    try {
      const page = await openPage()
      expect((await page.goto(`${origin}/ops/ui`))!.status()).toBe(401)
      const opened = await page.goto(`${origin}/ops/ui?token=browser-t0ken`)
      expect(opened!.status()).toBe(200)
      expect(page.url()).toBe(`${origin}/ops/ui`) // the token left the address bar
      const cookies = await page.context().cookies(`${origin}/ops/ui`)
      expect(cookies).toEqual([
        expect.objectContaining({ path: '/ops/', httpOnly: true, sameSite: 'Strict' }),
      ])
      const evilRow = row(page, 'evil.test')
      await expect.poll(() => evilRow.locator('td').nth(7).textContent()).toContain(evil)
      expect(await page.evaluate<unknown>('window.pwned')).toBeUndefined()
      expect(await page.locator('#rows script, #rows img').count()).toBe(0)
      // The doctor POST goes through with the cookie (evil.test is no real domain: the doctor says so).
      await page.getByRole('button', { name: 'Run doctor for evil.test' }).click()
      await expect
        .poll(() => page.locator('#doctor-summary').textContent(), { timeout: 20_000 })
        .toMatch(/^✖ Doctor for evil\.test/)
      await page.close()
    } finally {
      handler.close()
      await new Promise((resolve) => server.close(resolve))
    }
  }, 60_000)

  it('diff over two running gateways names the one setting that differs, never the secret', async () => {
    // A second node of c.test's cluster, on its own address, with one more denied domain.
    const second = await startGateway(
      {
        ...configC,
        node: 'c-2',
        listen: [{ host: C2_IP, port: 5269 }],
        policy: { ...configC.policy, deny: ['spam.test'] },
      },
      { http: { host: C2_IP, port: 0 }, log: silent },
    )
    try {
      let stdout = ''
      const io: CliIo = {
        stdout: (text) => {
          stdout += text
        },
        stderr: () => {},
        cwd: workdir.path,
        color: false,
        width: 100,
      }
      const code = await run(['diff', `${gatewayC.url}/api`, `${second.url}/api`], io)
      expect(code, stdout).toBe(1)
      expect(stdout).toContain('Differences (1)\n  policy.deny\n')
      expect(stdout).toMatch(/ {4}default \(c-2\) +\["spam\.test"\]\n/)
      expect(stdout).toContain('NODE_CONFIG_DIFFERS')
      expect(stdout).toContain('✖ 1 setting differs, 1 problem')
      expect(stdout).not.toContain(SECRET)
      stdout = ''
      expect(await run(['diff', `${gatewayC.url}/api`, `${second.url}/api`, '--json'], io)).toBe(1)
      expect(stdout).not.toContain(SECRET)
    } finally {
      await second.stop()
    }
  }, 60_000)
})
