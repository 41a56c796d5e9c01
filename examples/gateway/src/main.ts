import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError } from '@xmpp-federation/config'
import { startGateway } from './gateway.js'
import { loadGatewayConfig } from './gateway-config.js'
import { createLog } from './log.js'

const USAGE = `Usage: pnpm gateway --config FILE [--json-logs] [--verbose]

Runs a federation gateway: the domains of FILE federate over XMPP s2s, and an
HTTP API (FILE's "http": { "host", "port" }) lets applications send and receive.

  --config FILE   federation config (.json, .yaml): the router's keys plus "http", and
                  "cluster": { "redis": "redis://…", "nodeId": "…" } to run as one of several
  --json-logs     one JSON object per log line
  --verbose       also debug lines (connection attempts, HTTP requests)
  --help          this text

SIGHUP re-reads FILE and applies it without a restart (see docs/operations.md).
With GATEWAY_ADMIN_TOKEN set in the environment, POST /api/reload (Authorization:
Bearer <token>) does the same: \`xmpp-federation reload URL --token <token>\`.`

async function main(): Promise<number> {
  let args: ReturnType<typeof parseCommandLine>
  try {
    args = parseCommandLine()
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`)
    return 2
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (!args.config) {
    process.stderr.write(`--config is required\n\n${USAGE}\n`)
    return 2
  }
  // pnpm runs scripts from the repository root; a relative path means the caller's directory.
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), args.config)
  const log = createLog({ json: args['json-logs'], verbose: args.verbose })
  try {
    const { config, cluster } = await loadGatewayConfig(file)
    const token = process.env.GATEWAY_ADMIN_TOKEN || undefined
    // A reload reads the file again; its `cluster` section (Redis, node id) is not reloadable.
    const source = async () => (await loadGatewayConfig(file)).config
    const gateway = await startGateway(config, {
      log,
      reload: { source, token },
      ...(cluster ? { cluster } : {}),
    })
    // The gateway logs the report, or why the file was refused (the old configuration keeps serving).
    const onHangup = () => void gateway.reload().catch(() => undefined)
    process.on('SIGHUP', onHangup)
    await stopOnSignal(() => gateway.stop())
    process.off('SIGHUP', onHangup)
    return 0
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : `cannot start: ${(error as Error).message}`
    process.stderr.write(`${message}\n`)
    return 1
  }
}

function parseCommandLine() {
  return parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      'json-logs': { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values
}

/** Resolves after a graceful stop on SIGINT/SIGTERM; a second signal exits at once. */
function stopOnSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.once(signal, () => process.exit(130))
      stop().then(done, (error: Error) => {
        process.stderr.write(`stop failed: ${error.message}\n`)
        done()
      })
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
}

process.exitCode = await main()
