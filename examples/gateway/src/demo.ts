import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfigFile } from '@xmpp-federation/config'
import type { DomainStatus } from '@xmpp-federation/router'
import { GatewayClient } from './api-client.js'
import { DEMO_DOMAINS, writeDemoDeployment } from './demo-setup.js'
import { type Gateway, startGateway } from './gateway.js'
import type { InboxItem } from './inbox.js'
import { createLog, silentLog } from './log.js'

// `pnpm demo`: two gateways federate over TLS with certificate authentication
// on two loopback addresses, driven only through their HTTP APIs.

const USAGE = `Usage: pnpm demo [--logs] [--keep]

  --logs   interleave both gateways' own log lines with the transcript
  --keep   write the certificates and configs to .tmp/gateway-demo/ and keep them,
           to run the gateways again with pnpm gateway --config .tmp/gateway-demo/c.test.json`

const DEMO_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 5_000

/** Where --keep leaves the files: a fixed, git-ignored place in the repository. */
const KEEP_DIR = fileURLToPath(new URL('../../../.tmp/gateway-demo/', import.meta.url))

const BOT = 'bot@c.test'
const EVE = 'eve@d.test'

const say = (line = '') => process.stdout.write(`${line}\n`)

class StepFailure extends Error {
  constructor(step: string, cause: unknown) {
    super(`${step}: ${(cause as Error)?.message ?? cause}`, { cause })
  }
}

async function step<T>(title: string, run: () => Promise<T>): Promise<T> {
  say(title)
  try {
    return await run()
  } catch (error) {
    throw new StepFailure(title.trim(), error)
  }
}

async function runDemo(options: { logs: boolean; keep: boolean }): Promise<void> {
  const started = performance.now()
  const dir = options.keep ? await freshDir(KEEP_DIR) : await mkdtemp(join(tmpdir(), 'xf-gateway-demo-'))
  const gateways: Gateway[] = []
  try {
    say('xmpp-federation gateway demo: two domains federate over XMPP s2s (TLS required, SASL EXTERNAL)')
    say()
    const files = await step('Setting up', async () => {
      const written = await writeDemoDeployment(dir)
      say(`   development CA, certificates (DNS SAN only) and gateway configs in ${dir}`)
      return written
    })
    for (const { domain, ip } of DEMO_DOMAINS) {
      const config = await loadConfigFile(files[domain]!)
      const log = options.logs ? createLog({ prefix: domain }) : silentLog
      const gateway = await startGateway(config, { log }).catch((error: Error) => {
        throw new StepFailure(`starting ${domain}`, portHint(error))
      })
      gateways.push(gateway)
      say(`   ${domain}: s2s on ${ip}:5269, HTTP API on ${gateway.url}`)
    }
    const [c, d] = gateways.map((gateway) => new GatewayClient(gateway.url)) as [GatewayClient, GatewayClient]
    say()

    await step(`1. ${BOT} writes to ${EVE}`, async () => {
      const body = 'Hello eve, this is bot on c.test.'
      const { id } = await c.sendMessage({ from: BOT, to: EVE, body })
      say(`   POST ${c.url}/api/messages → 202, id ${id} (written to an authenticated stream)`)
      const got = await d.waitFor((i) => isMessage(i, BOT, body), { what: 'the message at d.test' })
      say(`   d.test's inbox: ${describe(got)}`)
    })

    await step(`2. ${EVE} answers`, async () => {
      const body = 'Hi bot! Greetings from d.test.'
      const { id } = await d.sendMessage({ from: EVE, to: BOT, body })
      say(`   POST ${d.url}/api/messages → 202, id ${id}`)
      const got = await c.waitFor((i) => isMessage(i, EVE, body), { what: 'the answer at c.test' })
      say(`   c.test's inbox: ${describe(got)}`)
    })

    await step(`3. ${BOT} subscribes to ${EVE}'s presence`, async () => {
      await d.presence({ from: EVE, action: 'available', status: 'Reading RFC 6121' })
      say(`   ${EVE} is available ("Reading RFC 6121"); nobody subscribed yet`)
      await c.presence({ from: BOT, to: EVE, action: 'subscribe' })
      say(`   ${BOT}: subscribe → ${EVE}`)
      const request = await d.waitFor((i) => isPresence(i, BOT, 'subscribe'), {
        what: 'the subscription request',
      })
      say(`   d.test's inbox: ${describe(request)}`)
      const approved = await d.presence({ from: EVE, to: BOT, action: 'approve' })
      say(`   ${EVE} approves: ${approved.sent.map((s) => s.type).join(', ')} → ${BOT}`)
      const subscribed = await c.waitFor((i) => isPresence(i, EVE, 'subscribed'), { what: 'the approval' })
      say(`   c.test's inbox: ${describe(subscribed)}`)
      const available = await c.waitFor((i) => isPresence(i, EVE, 'available'), { what: "eve's presence" })
      say(`   c.test's inbox: ${describe(available)}`)
      const eve = (await c.roster(BOT)).contacts.find((contact) => contact.jid === EVE)
      if (eve?.subscription !== 'to' || !eve.available)
        throw new Error(`bot's roster shows ${JSON.stringify(eve)}`)
      say(`   ${BOT}'s roster: ${EVE} subscription=${eve.subscription}, available`)
    })

    await step('4. XEP-0199 server pings', async () => {
      say(`   c.test → d.test: ${await c.ping('c.test', 'd.test')} ms`)
      say(`   d.test → c.test: ${await d.ping('d.test', 'c.test')} ms`)
    })

    await step('5. Federation status (GET /api/status)', async () => {
      for (const [domain, client] of [
        ['c.test', c],
        ['d.test', d],
      ] as const) {
        for (const entry of (await client.status()).domains) say(`   ${domain}: ${describeSession(entry)}`)
      }
    })
    await step('6. Stopping both gateways', async () => {
      await stopAll(gateways.splice(0))
      say('   available users announced unavailable to their subscribers, every stream closed')
    })
    say()
    say(`Demo passed in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
    if (options.keep) {
      const root = process.env.INIT_CWD ?? process.cwd()
      say(`Kept the certificates and configs in ${dir}. Run the gateways again, one per terminal:`)
      for (const file of Object.values(files)) say(`   pnpm gateway --config ${relative(root, file)}`)
    }
  } finally {
    await stopAll(gateways).catch(() => {}) // after a failure: the failure is the news
    if (!options.keep) await rm(dir, { recursive: true, force: true })
  }
}

async function freshDir(dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  return dir
}

function isMessage(item: InboxItem, from: string, body: string): boolean {
  return item.kind === 'message' && item.from.startsWith(from) && item.body === body
}

function isPresence(item: InboxItem, from: string, type: string): boolean {
  return item.kind === 'presence' && item.from.startsWith(from) && item.type === type
}

function describe(item: InboxItem): string {
  switch (item.kind) {
    case 'message':
      return `message from ${item.from} to ${item.to}: "${item.body}"`
    case 'presence': {
      const status = item.status ? ` ("${item.status}")` : ''
      return `presence ${item.type} from ${item.from}${status}`
    }
    case 'error':
      return `error ${item.condition} for ${item.stanza} to ${item.from}`
  }
}

function describeSession(entry: DomainStatus): string {
  const arrow = entry.direction === 'outbound' ? '→' : '←'
  const facts = [entry.state, entry.authMechanism ?? 'not authenticated', entry.tlsVersion ?? 'no TLS']
  if (entry.target) facts.push(`via ${entry.target}`)
  facts.push(`${entry.stanzasOut} stanzas out, ${entry.stanzasIn} in`)
  return `${entry.direction} ${entry.local} ${arrow} ${entry.remote}: ${facts.join(', ')}`
}

function portHint(error: Error): Error {
  if (!/EADDRINUSE|EADDRNOTAVAIL/.test(error.message)) return error
  return new Error(`${error.message} (is another demo, gateway or interop test using these addresses?)`)
}

/** Stops the gateways, giving up after a while: the demo must never hang. */
async function stopAll(gateways: Gateway[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const giveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)
  })
  const stopped = Promise.allSettled(gateways.map((gateway) => gateway.stop())).then((results) =>
    results.find((result) => result.status === 'rejected'),
  )
  const outcome = await Promise.race([stopped, giveUp])
  clearTimeout(timer)
  if (outcome === 'timeout') throw new Error(`the gateways did not stop within ${STOP_TIMEOUT_MS / 1000} s`)
  if (outcome) throw outcome.reason
}

async function main(): Promise<number> {
  let options: { logs: boolean; keep: boolean }
  try {
    options = parseArgs({
      options: { logs: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
    }).values as { logs: boolean; keep: boolean }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`)
    return 2
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the demo did not finish within ${DEMO_TIMEOUT_MS / 1000} s`)),
      DEMO_TIMEOUT_MS,
    )
  })
  try {
    await Promise.race([runDemo(options), timeout])
    return 0
  } catch (error) {
    process.stderr.write(`\nDemo FAILED at ${(error as Error).message}\n`)
    return 1
  } finally {
    clearTimeout(timer)
  }
}

const code = await main()
process.exitCode = code
// Anything still holding the event loop after the gateways stopped must not keep the demo alive.
setTimeout(() => process.exit(code), 1_000).unref()
