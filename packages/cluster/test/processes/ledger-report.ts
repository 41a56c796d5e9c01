import type { Ledger } from './deliveries.js'

/** Prints a ledger in one line, for the test log and docs/cluster.md. */
export function printLedger(what: string, ledger: Ledger, extra: Record<string, unknown> = {}): void {
  const fields = { ...ledger, ...extra }
  const text = Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')
  console.log(`[ledger] ${what}: ${text}`)
}
