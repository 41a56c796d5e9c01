/**
 * One cell of the interop matrix as the doc shows it. Tests store it in the
 * vitest task's meta (kept by the JSON reporter), step by step, so a cell that
 * fails halfway still tells how far it got; scripts/interop-matrix.ts writes
 * docs/interop.md from it.
 */
export interface InteropCell {
  readonly peer: string
  readonly mode: string
  readonly direction: string
  /** n/a: the peer cannot do this at all (see reason); otherwise the test's own pass/fail counts. */
  readonly applicable: boolean
  readonly reason?: string
  /** The mechanism on our side of the stream, and the one the peer logged. */
  readonly mechanism?: string
  readonly peerMechanism?: string
  readonly tls?: string
  /** XEP-0198 / XEP-0288 on the stream: 'yes', 'no', or 'n/a: why'. */
  readonly streamManagement?: string
  readonly bidi?: string
  /** The steps that completed, in order. */
  readonly steps: readonly string[]
}

type Task = { meta: object }

export function recordCell(task: Task, update: Partial<InteropCell>): void {
  const meta = task.meta as { interop?: InteropCell }
  meta.interop = { ...(meta.interop as InteropCell), ...update }
}

export function recordStep(task: Task, step: string): void {
  const meta = task.meta as { interop?: InteropCell }
  recordCell(task, { steps: [...(meta.interop?.steps ?? []), step] })
}
