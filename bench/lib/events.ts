/** Sends an event to the parent process (from a worker). */
export function emit(event: string, data?: unknown): void {
  process.send?.({ event, data })
}
