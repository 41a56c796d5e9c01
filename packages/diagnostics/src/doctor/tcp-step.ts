import { connect as netConnect, type Socket } from 'node:net'
import type { ConnectionTarget } from '@xmpp-federation/router'
import { targetAddress } from './dns-step.js'
import { fail, pass, type StepResult } from './step-result.js'

export type Connect = (host: string, port: number) => Socket

export const defaultConnect: Connect = (host, port) => netConnect({ host, port })

/** Opens a TCP connection to one target; the socket is handed on to the TLS and stream steps. */
export async function tcpStep(
  domain: string,
  target: ConnectionTarget,
  options: { connect: Connect; timeoutMs: number },
): Promise<{ result: StepResult; socket?: Socket }> {
  const address = targetAddress(target)
  const started = Date.now()
  let socket: Socket
  try {
    socket = await openSocket(options.connect, target, options.timeoutMs)
  } catch (error) {
    return { result: connectFailure(domain, address, error as NodeJS.ErrnoException, options.timeoutMs) }
  }
  const result = pass({
    step: 'tcp',
    code: 'TCP_OK',
    message: `connected to ${address} in ${Date.now() - started} ms`,
    target: address,
  })
  return { result, socket }
}

/** A connected socket (TCP_NODELAY: stanzas are small), or the connect error. */
export async function openSocket(
  connect: Connect,
  target: Pick<ConnectionTarget, 'host' | 'port'>,
  timeoutMs: number,
): Promise<Socket> {
  const socket = connect(target.host, target.port)
  socket.setNoDelay(true)
  try {
    await connected(socket, timeoutMs)
    return socket
  } catch (error) {
    socket.destroy()
    throw error
  }
}

class ConnectTimeout extends Error {
  override readonly name = 'ConnectTimeout'
}

function connected(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ConnectTimeout(`connect timed out after ${timeoutMs} ms`)),
      timeoutMs,
    )
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve()
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

function connectFailure(
  domain: string,
  address: string,
  error: NodeJS.ErrnoException,
  timeoutMs: number,
): StepResult {
  const firewall = `If it sits behind a firewall or NAT, port ${address.split(':').at(-1)} must be forwarded to it.`
  if (error instanceof ConnectTimeout) {
    return fail({
      step: 'tcp',
      code: 'TCP_TIMEOUT',
      message: `no answer from ${address} within ${timeoutMs} ms`,
      hint: `Either side: a firewall drops the packets. Remote side: allow inbound TCP on ${address} from our public address. Our side: allow outbound TCP to it. ${firewall}`,
      side: 'either',
      target: address,
    })
  }
  if (error.code === 'ECONNREFUSED') {
    return fail({
      step: 'tcp',
      code: 'TCP_REFUSED',
      message: `${address} refused the connection: nothing listens there`,
      hint: `Remote side: start the XMPP server of ${domain} with s2s on ${address}, or correct its DNS records. ${firewall} Our side: if a static route names ${address}, correct it.`,
      side: 'remote',
      target: address,
    })
  }
  return fail({
    step: 'tcp',
    code: 'TCP_UNREACHABLE',
    message: `cannot reach ${address}: ${error.code ?? error.message}`,
    hint: `Our side: check routing from this host to ${address} (EHOSTUNREACH/ENETUNREACH mean no route). Remote side: its public address may be wrong in DNS.`,
    side: 'either',
    target: address,
  })
}
