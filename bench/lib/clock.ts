/**
 * Microseconds on the system-wide monotonic clock (CLOCK_MONOTONIC, which is what
 * process.hrtime reads): comparable between processes on one machine, so a stanza can carry
 * its send time to another process and one-way latency needs no clock sync.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
