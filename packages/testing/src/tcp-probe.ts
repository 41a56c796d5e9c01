import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** True when something accepts TCP connections on host:port. */
export function acceptsConnections(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * Throws when one of the ports is already open: a server that only logs a failed bind
 * (Prosody does) would otherwise look up while another process answers.
 */
export async function assertPortsFree(host: string, ports: number[]): Promise<void> {
  for (const port of ports) {
    if (await acceptsConnections(host, port))
      throw new Error(`${host}:${port} is already in use by another process`)
  }
}

export interface WaitForPortsOptions {
  timeoutMs: number
  /** Polled between attempts: a reason to give up early (e.g. the server process exited). */
  failure?: () => string | undefined
}

/** Resolves once every port accepts connections; rejects on timeout or when failure() names a reason. */
export async function waitForPorts(
  host: string,
  ports: number[],
  options: WaitForPortsOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  const pending = new Set(ports)
  while (pending.size > 0) {
    const reason = options.failure?.()
    if (reason) throw new Error(reason)
    for (const port of pending) {
      if (await acceptsConnections(host, port, 500)) pending.delete(port)
    }
    if (pending.size === 0) return
    if (Date.now() > deadline) {
      throw new Error(
        `${host}:${[...pending].join(',')} not accepting connections after ${options.timeoutMs} ms`,
      )
    }
    await sleep(50)
  }
}
