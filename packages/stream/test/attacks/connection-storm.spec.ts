import { connect as netConnect, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { peerHeader } from '../../fuzz/hostile-peer.js'
import { report } from '../../fuzz/report.js'
import { trustingDialback } from '../../fuzz/trusting-dialback.js'
import {
  type AddressThrottle,
  createAddressThrottle,
  createStreamContext,
  type ListenOptions,
  listen,
  type StreamContext,
} from '../../src/index.js'
import { type LogLine, recordingLogger } from '../recording-logger.js'

// Issue 13: a peer opened and aborted connections in a tight loop (~200/s).
// Past its burst, one address gets <resource-constraint/> for the excess;
// other addresses are untouched, and the log says it once, not per connection.
const HOST = '127.0.0.93'
const STORMER = '127.0.0.94'
const BYSTANDER = '127.0.0.95'
const STORM_MS = 1000
const CONCURRENCY = 8
const RATE = 5
const BURST = 10
const RESOURCE_CONSTRAINT = '<resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>'

/**
 * Connects from `localAddress`, opens a stream and aborts (RST) once the server
 * answers, as the storming peer did after its handshake. Aborting before the
 * server has accepted would only test the kernel: such a socket reaches us
 * without a peer address, and the listener just closes it.
 */
async function openAndAbort(port: number, localAddress: string): Promise<void> {
  const socket = netConnect({ host: HOST, port, localAddress })
  socket.on('error', () => {})
  socket.once('connect', () => socket.write(peerHeader('b.test', 'c.test')))
  await new Promise<void>((resolve) => {
    socket.once('data', () => {
      socket.resetAndDestroy()
      resolve()
    })
    socket.once('close', () => resolve())
  })
}

/** Connects from `localAddress`, opens a stream, and returns what the server said within `waitMs`. */
async function greet(port: number, localAddress: string, waitMs = 500): Promise<string> {
  const socket: Socket = netConnect({ host: HOST, port, localAddress })
  socket.on('error', () => {})
  let received = ''
  socket.on('data', (d: Buffer) => {
    received += d.toString('utf8')
  })
  socket.once('connect', () => socket.write(peerHeader('b.test', 'c.test')))
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs)
    socket.on('data', () => {
      if (received.includes('</stream:features>') || received.includes('</stream:stream>')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  socket.destroy()
  return received
}

describe('connection storms from one address', () => {
  let context: StreamContext
  let lines: LogLine[]
  const servers: Server[] = []

  beforeAll(() => {
    const recording = recordingLogger()
    lines = recording.lines
    context = createStreamContext({
      localDomains: ['c.test'],
      auth: [trustingDialback()],
      security: { tls: 'none', requireValidCertificate: false },
      timeouts: { negotiationMs: 1000, closeMs: 200 },
      logger: recording.logger,
    })
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  })

  async function start(options: Partial<ListenOptions>) {
    const accepted = { count: 0 }
    const server = await listen(context, { host: HOST, port: 0, ...options }, () => accepted.count++)
    servers.push(server)
    return { port: (server.address() as { port: number }).port, accepted }
  }

  const throttleLines = (address: string) =>
    lines.filter((l) => l.fields?.remote === address && l.message.includes('throttled'))

  it('refuses one storming address past its rate, keeps taking the others, and warns once', async ({
    task,
  }) => {
    // A low rate, so that even a loaded 2-core CI machine storms well past it; the defaults
    // (DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS) only change the numbers.
    const throttle: AddressThrottle = createAddressThrottle({
      perSecond: RATE,
      burst: BURST,
      logger: context.logger,
    })
    const { port, accepted } = await start({ throttle })
    const startedAt = Date.now()
    let attempts = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() - startedAt < STORM_MS) {
          attempts++
          await openAndAbort(port, STORMER)
        }
      }),
    )
    const seconds = (Date.now() - startedAt) / 1000

    expect(await greet(port, STORMER)).toContain(RESOURCE_CONSTRAINT)
    const bystander = await greet(port, BYSTANDER)
    expect(bystander).toContain('<stream:features')
    expect(bystander).not.toContain(RESOURCE_CONSTRAINT)

    const fromStormer = accepted.count - 1 // the bystander's stream
    expect(attempts).toBeGreaterThan(4 * BURST)
    expect(fromStormer).toBeLessThanOrEqual(BURST + Math.ceil(RATE * seconds) + 1)
    const warnings = throttleLines(STORMER).filter((l) => l.level === 'warn')
    expect(warnings).toHaveLength(1)
    expect(throttleLines(BYSTANDER)).toHaveLength(0)
    const [entry] = throttle.throttled()
    expect(entry).toMatchObject({ address: STORMER, since: expect.any(String) })
    expect(entry!.refused).toBeGreaterThan(attempts - fromStormer - CONCURRENCY * 2)

    const logLines = lines.filter((l) => l.fields?.remote === STORMER).length
    report(task, {
      outcome: `${fromStormer} of ${attempts} connections taken in ${seconds.toFixed(1)} s, ${logLines} log line(s)`,
      counts: {
        attempts,
        accepted: fromStormer,
        refused: entry!.refused,
        acceptedPerSecond: Math.round(fromStormer / seconds),
        logLines,
      },
    })
  })
  it('takes the rate and burst from ListenOptions', async () => {
    const address = '127.0.0.96'
    const { port, accepted } = await start({
      maxConnectionsPerSecondPerAddress: 0.1,
      connectionBurstPerAddress: 2,
    })
    const answers = [await greet(port, address), await greet(port, address), await greet(port, address)]
    expect(answers.map((a) => a.includes(RESOURCE_CONSTRAINT))).toEqual([false, false, true])
    expect(accepted.count).toBe(2)
    expect(throttleLines(address)).toHaveLength(1)
  })
})
