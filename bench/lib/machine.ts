import { readFileSync } from 'node:fs'
import os from 'node:os'

/** What the figures were measured on: they mean little without it. */
export interface Machine {
  readonly nproc: number
  readonly cpuModel: string
  readonly memoryGiB: number
  readonly node: string
  readonly platform: string
  /** 1-minute load average when the bench started: other work on the box skews everything. */
  readonly loadAverage: number
}

export function describeMachine(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg()[0]!,
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'))
    return line?.split(':')[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown'
  } catch {
    return os.cpus()[0]?.model ?? 'unknown'
  }
}
