/**
 * `pnpm bench [options]`: the federation benchmarks (see docs/performance.md).
 *
 * The bench measures what users run, the packages' compiled output: it first builds the
 * packages it uses (router, cluster, testing and their dependencies; `--no-build` skips that), then
 * starts main.ts, whose `@xmpp-federation/*` imports bench/tsconfig.run.json maps to `dist/`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { tsxNodeOptions } from './lib/tsx.js'

const args = process.argv.slice(2)
const root = fileURLToPath(new URL('..', import.meta.url))

if (!args.includes('--no-build') && !args.includes('--help')) {
  const filters = [
    '@xmpp-federation/router...',
    '@xmpp-federation/cluster...',
    '@xmpp-federation/testing...',
  ].flatMap((f) => ['--filter', f])
  // pnpm sets npm_execpath to itself; outside pnpm, look it up on PATH.
  const pnpm = process.env.npm_execpath
  const [command, prefix] =
    pnpm?.endsWith('.cjs') || pnpm?.endsWith('.js') ? [process.execPath, [pnpm]] : ['pnpm', []]
  process.stderr.write('[bench] building the packages it measures (--no-build skips this)\n')
  const build = spawnSync(command, [...prefix, '-r', ...filters, 'run', 'build'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (build.status !== 0) {
    process.stderr.write('[bench] the build failed; nothing was measured\n')
    process.exit(build.status ?? 1)
  }
}

const main = fileURLToPath(new URL('./main.ts', import.meta.url))
const node = tsxNodeOptions()
const child = spawn(process.execPath, [...node.execArgv, main, ...args.filter((a) => a !== '--no-build')], {
  stdio: 'inherit',
  env: node.env,
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0)
})
