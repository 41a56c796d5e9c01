import { readFileSync } from 'node:fs'

/** CPU time (user + system) of this process in microseconds, from process.cpuUsage(). */
export function ownCpuUs(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

const TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux ABI Node runs on

/**
 * CPU seconds (utime + stime) of any process, from /proc/PID/stat: how a process we did not
 * write (Prosody) is measured, and ours the same way when the two are compared.
 */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) / TICKS_PER_SECOND
}

/** Read and write system calls of this process so far (/proc/self/io: syscr, syscw; Linux). */
export function ownSyscalls(): { reads: number; writes: number } {
  try {
    const io = readFileSync('/proc/self/io', 'utf8')
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN)
    return { reads: field('syscr'), writes: field('syscw') }
  } catch {
    return { reads: Number.NaN, writes: Number.NaN }
  }
}
