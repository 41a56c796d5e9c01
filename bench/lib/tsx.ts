import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * bench/tsconfig.run.json: `@xmpp-federation/*` resolves to `packages/*\/dist/index.js`.
 * BENCH_TSCONFIG names another one, e.g. to measure another copy of the packages (A/B).
 */
const tsconfig = process.env.BENCH_TSCONFIG
  ? path.resolve(process.env.BENCH_TSCONFIG)
  : fileURLToPath(new URL('../tsconfig.run.json', import.meta.url))

/** How to start a Node process that runs the bench's TypeScript (main or a worker). */
export function tsxNodeOptions(): { execArgv: string[]; env: NodeJS.ProcessEnv } {
  return {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
  }
}
