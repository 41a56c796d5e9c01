import type { Logger } from './logger.js'

/**
 * A warning that an attack could repeat thousands of times a second: written the
 * first time, then at most once per `intervalMs`, saying how many were left out
 * meanwhile. The log stays readable, and its volume bounded, under a flood.
 */
export function sampledWarning(logger: Logger, message: string, intervalMs = 10_000) {
  let lastAt = Number.NEGATIVE_INFINITY
  let suppressed = 0
  return (fields: Record<string, unknown>, now = performance.now()): void => {
    if (now - lastAt < intervalMs) {
      suppressed++
      return
    }
    lastAt = now
    logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message)
    suppressed = 0
  }
}
