/**
 * Writes joined per event-loop turn, flushed by one setImmediate for every stream instead of
 * one per stream. Over a thousand streams each stream gets about one stanza per turn, so a
 * per-stream Immediate (an object, a closure call, a pass through the immediate queue) was
 * paid once per stanza; here it is paid once per turn.
 */
let due: (() => void)[] = []

/** Runs `flush` on the next turn, after this turn's I/O callbacks, with every other stream's. */
export function flushNextTurn(flush: () => void): void {
  if (due.length === 0) setImmediate(runDue)
  due.push(flush)
}

function runDue(): void {
  const now = due
  // Writes made while flushing (a writer resumed by `writable`) go out on the next turn.
  due = []
  let failure: { error: unknown } | undefined
  for (const flush of now) {
    try {
      flush()
    } catch (error) {
      // One stream's failure must not hold back the others' writes; it is still thrown.
      failure ??= { error }
    }
  }
  if (failure) throw failure.error
}
