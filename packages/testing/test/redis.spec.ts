import net from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { createWorkdir, startRedis } from '../src/index.js'

/** One RESP command over a raw socket: the launcher is tested without a Redis client. */
function command(host: string, port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port })
    let answer = ''
    socket.on('data', (chunk) => {
      answer += chunk.toString()
      if (answer.endsWith('\r\n')) {
        socket.end()
        resolve(answer)
      }
    })
    socket.on('error', reject)
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)
  })
}

describe('startRedis', async () => {
  const workdir = await createWorkdir()
  const redis = await startRedis({ workdir, host: '127.0.0.189', port: 6399 })
  afterAll(async () => {
    await redis.stop()
    await workdir.cleanup()
  })

  it('serves on the loopback address it was given, without persistence', async () => {
    expect(await command(redis.host, redis.port, 'SET', 'k', 'v')).toBe('+OK\r\n')
    expect(await command(redis.host, redis.port, 'CONFIG', 'GET', 'appendonly')).toContain('no')
  })

  it('comes back empty after restart()', async () => {
    const before = redis.process.pid
    await redis.restart()
    expect(redis.process.pid).not.toBe(before)
    expect(await command(redis.host, redis.port, 'GET', 'k')).toBe('$-1\r\n')
  })
})
