import { baselineCommands, baselineShutdown } from './baseline-side.js'
import { crowdCommands, crowdShutdown } from './crowd-side.js'
import { federationCommands, federationShutdown } from './federation-side.js'
import { memoryCommands } from './memory.js'
import { profilerCommands } from './profiler.js'
import { streamCommands, streamShutdown } from './stream-side.js'
import { trafficCommands } from './traffic.js'

// biome-ignore lint/suspicious/noExplicitAny: each command validates its own arguments
type Command = (args: any) => unknown

/** Every command a worker serves; `shutdown` runs before it exits. */
export const commands: Record<string, Command> = {
  ...trafficCommands,
  ...federationCommands,
  ...streamCommands,
  ...baselineCommands,
  ...profilerCommands,
  ...crowdCommands,
  ...memoryCommands,
  shutdown: () =>
    Promise.allSettled([federationShutdown(), streamShutdown(), baselineShutdown(), crowdShutdown()]),
}
