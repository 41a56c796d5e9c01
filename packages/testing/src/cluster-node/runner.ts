/**
 * A cluster node in its own process: builds a federation (with `redisCluster` when the spec
 * names a Redis) and serves the commands of protocol.ts over IPC. Started by startClusterNode
 * under tsx, whose tsconfig maps `@xmpp-federation/*` to the packages' sources (tests) or their
 * compiled output (bench). The packages are imported by name at run time, so the testing
 * package does not depend on them; the few members used are typed here.
 */
import { parse } from 'ltx'
import type {
  BurstResult,
  BurstSpec,
  ClusterNodeEvent,
  ClusterNodeSpec,
  CommandMessage,
  NodeCommand,
  RunnerMessage,
  SendOutcome,
} from './protocol.js'
import { type FederationLike, type RouterModule, toPlain } from './runner-types.js'

const SPEC_ENV = 'XF_CLUSTER_NODE_SPEC'

function post(message: RunnerMessage): void {
  if (process.connected) process.send?.(message)
}

function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    const condition = (error as { condition?: string }).condition
    return { name: condition ? `${error.name}:${condition}` : error.name, message: error.message }
  }
  return { name: 'Error', message: String(error) }
}

async function build(spec: ClusterNodeSpec): Promise<FederationLike> {
  // Names in variables: resolved by tsx at run time, invisible to the testing package's build.
  const routerName = '@xmpp-federation/router'
  const router = (await import(routerName)) as RouterModule
  const options: Record<string, unknown> = { config: spec.config }
  if (spec.dialVia) {
    const routes = Object.fromEntries(
      Object.entries(spec.dialVia).map(([domain, target]) => [domain, [target]]),
    )
    options.resolver = router.createResolver({ routes })
  }
  if (spec.redisUrl) {
    const clusterName = '@xmpp-federation/cluster'
    const cluster = (await import(clusterName)) as {
      redisCluster(options: Record<string, unknown>): unknown
    }
    options.cluster = cluster.redisCluster({
      url: spec.redisUrl,
      nodeId: spec.nodeId,
      ...(spec.leaseMs === undefined ? {} : { leaseMs: spec.leaseMs }),
      ...(spec.prefix === undefined ? {} : { prefix: spec.prefix }),
    })
  }
  return router.createFederation(options)
}

/** Whether inbound stanzas are reported (one IPC message each: off while a load runs). */
let reportStanzas = true

function report(federation: FederationLike): void {
  const emit = (name: ClusterNodeEvent['name'], data: Record<string, unknown>) =>
    post({ kind: 'event', event: { name, at: Date.now(), data } })
  federation.on('bounce', (event) => emit('bounce', toPlain(event)))
  federation.on('resend', (event) => emit('resend', toPlain(event)))
  federation.on('session', (event) => emit('session', toPlain(event)))
  federation.on('cluster', (event) => emit('cluster', toPlain(event)))
  federation.on('error', (error) => emit('error', toPlain({ error })))
  federation.on('stanza', (stanza, info) => {
    if (reportStanzas) emit('stanza', toPlain({ xml: stanza, ...info }))
  })
}

async function send(federation: FederationLike, xml: string): Promise<SendOutcome> {
  const started = performance.now()
  try {
    await federation.send(parse(xml))
    return { outcome: 'written', ms: performance.now() - started }
  } catch (error) {
    const condition = (error as { condition?: string }).condition
    if (!condition) throw error // a usage error: the test is wrong, not the delivery
    return {
      outcome: 'bounced',
      condition,
      message: (error as Error).message,
      ms: performance.now() - started,
    }
  }
}

async function burst(federation: FederationLike, spec: BurstSpec): Promise<BurstResult> {
  const first = spec.firstIndex ?? 0
  const latenciesMs = new Array<number>(spec.count).fill(0)
  const bounced: Record<string, number> = {}
  const bouncedIds: string[] = []
  let written = 0
  let next = 0
  const started = performance.now()
  const lane = async () => {
    while (next < spec.count) {
      const index = next++
      const id = `${spec.bodyPrefix}${first + index}`
      const xml = `<message from="${spec.from}" to="${spec.to}" id="${id}" type="chat"><body>${id}</body></message>`
      const outcome = await send(federation, xml)
      latenciesMs[index] = outcome.ms
      if (outcome.outcome === 'written') written++
      else {
        bounced[outcome.condition] = (bounced[outcome.condition] ?? 0) + 1
        bouncedIds.push(id)
      }
      if (spec.intervalMs) await new Promise((resolve) => setTimeout(resolve, spec.intervalMs))
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, spec.concurrency ?? 1) }, lane))
  return { written, bounced, bouncedIds, latenciesMs, elapsedMs: performance.now() - started }
}

async function serve(federation: FederationLike, body: NodeCommand): Promise<unknown> {
  switch (body.command) {
    case 'send':
      return send(federation, body.xml)
    case 'request':
      return (await federation.request(parse(body.xml), body.timeoutMs)).toString()
    case 'burst':
      return burst(federation, body.burst)
    case 'status':
      return toPlain(federation.status())
    case 'report-stanzas':
      reportStanzas = body.on
      return undefined
    case 'stop':
      await federation.stop()
      setImmediate(() => process.exit(0))
      return undefined
  }
}

async function main(): Promise<void> {
  const text = process.env[SPEC_ENV]
  if (!text) throw new Error(`${SPEC_ENV} is not set: start this file with startClusterNode()`)
  const spec = JSON.parse(text) as ClusterNodeSpec
  reportStanzas = spec.reportStanzas ?? true
  let federation: FederationLike
  try {
    federation = await build(spec)
    report(federation)
    await federation.start()
  } catch (error) {
    post({ kind: 'start-failed', error: describeError(error) })
    setImmediate(() => process.exit(1))
    return
  }
  process.on('message', (message: CommandMessage) => {
    serve(federation, message.body).then(
      (value) => post({ kind: 'reply', id: message.id, ok: true, value }),
      (error: unknown) => post({ kind: 'reply', id: message.id, ok: false, error: describeError(error) }),
    )
  })
  // SIGTERM (the process registry's stop) is a graceful stop, as an orchestrator would send.
  process.once('SIGTERM', () => {
    void federation.stop().finally(() => process.exit(0))
  })
  post({ kind: 'ready' })
}

// The test process is the lifeline: a node never outlives it.
process.on('disconnect', () => process.exit(0))
main().catch((error: unknown) => {
  post({ kind: 'start-failed', error: describeError(error) })
  setImmediate(() => process.exit(1))
})
