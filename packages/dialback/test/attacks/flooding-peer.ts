import { readdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { type TLSSocket, connect as tlsConnect } from 'node:tls'
import { header } from '../fixtures.js'

/**
 * A hostile peer from its own loopback address (127.0.0.x, so each test can
 * stand for a different remote IP): STARTTLS without a certificate, then
 * whatever the test writes. It never answers anything.
 */
export interface FloodingPeer {
  write(text: string): void
  text(): string
  /** How many times `pattern` (global) occurs in what was received. */
  count(pattern: RegExp): number
  /** Resolves once `count(pattern)` reaches `atLeast`, or after `timeoutMs`; with the count. */
  waitForCount(pattern: RegExp, atLeast: number, timeoutMs?: number): Promise<number>
  destroy(): void
}

export async function floodingPeer(
  port: number,
  localAddress: string,
  from: string,
  to: string,
): Promise<FloodingPeer> {
  const socket = netConnect({ host: '127.0.0.1', port, localAddress })
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let clear = ''
  const onClear = (chunk: Buffer) => {
    clear += chunk.toString('utf8')
  }
  socket.on('data', onClear)
  socket.write(`${header(from, to)}<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`)
  await until(() => clear.includes('<proceed'), 'no <proceed/>')
  socket.off('data', onClear)
  const tls: TLSSocket = tlsConnect({ socket, servername: to, rejectUnauthorized: false })
  tls.on('error', () => {})
  await new Promise<void>((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject))
  let received = ''
  tls.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8')
  })
  tls.write(header(from, to))
  await until(() => received.includes('</stream:features>'), `no features: ${received}`)
  const count = (pattern: RegExp) => received.match(pattern)?.length ?? 0
  return {
    write: (text) => void tls.write(text),
    text: () => received,
    count,
    async waitForCount(pattern, atLeast, timeoutMs = 5000) {
      await until(() => count(pattern) >= atLeast, '', timeoutMs).catch(() => {})
      return count(pattern)
    },
    destroy: () => tls.destroy(),
  }
}

/** A TCP server that accepts and never says a word: an authoritative server that leaves every verification in flight. */
export async function silentServer(): Promise<{
  port: number
  accepted: () => number
  close(): Promise<void>
}> {
  const sockets = new Set<Socket>()
  let accepted = 0
  const server: Server = createServer((socket) => {
    accepted++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** File descriptors this process holds now. */
export const openFds = (): number => readdirSync('/proc/self/fd').length

/** Waits until `condition` holds, polling; rejects with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** `count` `<db:result/>` requests from distinct domains `evil-<first+i>.test`, keys that are never checked. */
export function results(to: string, count: number, first = 0): string {
  let text = ''
  for (let i = first; i < first + count; i++)
    text += `<db:result from='evil-${i}.test' to='${to}'>${'ab'.repeat(32)}</db:result>`
  return text
}
