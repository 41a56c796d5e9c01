import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { publint as lint } from 'publint'
import { formatMessage } from 'publint/utils'

const run = promisify(execFile)
const attwBin = fileURLToPath(new URL('../../../../node_modules/.bin/attw', import.meta.url))

/** publint on a tarball as published; strict, so warnings count. Returns its messages. */
export async function publint(tarball: string): Promise<string[]> {
  const bytes = await readFile(tarball)
  const tarballBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const { messages, pkg } = await lint({ pack: { tarball: tarballBuffer }, strict: true })
  return messages
    .filter((message) => message.type !== 'suggestion')
    .map((message) => `${path.basename(tarball)}: ${formatMessage(message, pkg) ?? message.code}`)
}

/**
 * Are the Types Wrong on a tarball; returns its report when it finds a problem. The packages are
 * ESM only (a CommonJS host on Node >= 20.19 can require() them), hence the esm-only profile:
 * node10 and CommonJS-from-TypeScript resolutions are not judged.
 */
export async function attw(tarball: string): Promise<string[]> {
  try {
    await run(attwBin, [tarball, '--profile', 'esm-only', '--format', 'ascii'], {
      env: { ...process.env, NO_COLOR: '1' },
    })
    return []
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    return [`${path.basename(tarball)}:\n${stdout ?? ''}${stderr ?? ''}`]
  }
}
