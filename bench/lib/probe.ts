import type { Worker } from './worker-client.js'

export interface ProbeTiming {
  /** When send() was called, when it resolved (written to a stream), when the peer had it; µs. */
  readonly sentUs: number
  readonly writtenUs: number
  readonly deliveredUs: number
}

/**
 * Sends one message from a federation worker and waits until `receiver` reports its delivery
 * (a `delivered` event with the probe's id: see federation-side.ts).
 */
/** Resolves with the time (µs) the worker reports the delivery of the stanza with this id. */
export function probeArrival(
  receiver: { on: Worker['on']; off: Worker['off'] },
  id: string,
  timeoutMs = 30_000,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      receiver.off('delivered', listener)
      reject(new Error(`probe ${id} not delivered in ${timeoutMs} ms`))
    }, timeoutMs)
    const listener = (data: unknown) => {
      const event = data as { id: string; atUs: number }
      if (event.id !== id && !event.id.endsWith(`-${id}`)) return
      clearTimeout(timer)
      receiver.off('delivered', listener)
      resolve(event.atUs)
    }
    receiver.on('delivered', listener)
  })
}

export async function probe(
  sender: Worker,
  receiver: { on: Worker['on']; off: Worker['off'] },
  message: { from: string; to: string; id: string },
  timeoutMs = 30_000,
): Promise<ProbeTiming> {
  const delivered = probeArrival(receiver, message.id, timeoutMs)
  const sent = await sender.call<{ sentUs: number; writtenUs: number }>('federation.probe', message)
  return { ...sent, deliveredUs: await delivered }
}
