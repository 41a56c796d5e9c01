/**
 * CPU profiles of exactly the measured phase (not of process start-up and set-up): the
 * inspector's V8 profiler, started and stopped by the parent around a load.
 */
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'

let session: Session | undefined

async function start(): Promise<void> {
  session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
}

async function stop(args: { file: string }): Promise<void> {
  if (!session) return
  const { profile } = await session.post('Profiler.stop')
  session.disconnect()
  session = undefined
  await writeFile(args.file, JSON.stringify(profile))
}

export const profilerCommands = {
  'profiler.start': start,
  'profiler.stop': stop,
}
