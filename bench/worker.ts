/**
 * A bench worker process: one side of a measurement (a federation, a bare stream, a plain TLS
 * socket, or a crowd of client streams). The parent drives it through commands over IPC; each
 * module in `sides/` registers the commands it serves.
 */
import { commands } from './sides/index.js'

interface Request {
  id?: number
  command: string
  args?: unknown
}

process.on('message', (request: Request) => {
  if (request.command === 'exit') {
    // process.exit() (not a signal) lets --cpu-prof write its profile.
    void Promise.resolve(commands.shutdown?.(undefined)).finally(() => process.exit(0))
    return
  }
  const handler = commands[request.command]
  void (async () => {
    try {
      if (!handler) throw new Error(`unknown command ${request.command}`)
      const result = await handler(request.args)
      if (request.id !== undefined) process.send!({ id: request.id, ok: true, result })
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      if (request.id !== undefined) process.send!({ id: request.id, ok: false, error: message })
      else process.stderr.write(`[worker ${process.argv[2]}] ${request.command}: ${message}\n`)
    }
  })()
})

// The parent is the lifeline: a worker never outlives the bench.
process.on('disconnect', () => process.exit(0))
process.send!({ event: 'ready' })
