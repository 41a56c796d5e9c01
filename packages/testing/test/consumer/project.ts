import { execFileSync } from 'node:child_process'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const fixture = (name: string) => fileURLToPath(new URL(`./fixture/${name}`, import.meta.url))
const workspaceRequire = createRequire(new URL('../../../../package.json', import.meta.url))

/** What every consumer tsconfig shares: the strictest settings a host may reasonably use. */
const strictest = {
  target: 'es2022',
  lib: ['es2023'],
  types: ['node'],
  strict: true,
  skipLibCheck: false,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
}

/** The two module systems consumers use: Node's own, and a bundler's. */
export const tsconfigs = {
  'tsconfig.nodenext.json': { module: 'nodenext', moduleResolution: 'nodenext', outDir: '.' },
  'tsconfig.bundler.json': { module: 'esnext', moduleResolution: 'bundler', noEmit: true },
} as const

/**
 * A fresh npm project outside the workspace with the tarballs installed, the host fixture and
 * (when the root README has one) its "Compose your own" snippet. The @types/node the workspace
 * uses comes along: the host needs Node's types, the packages must bring everything else.
 */
export function createConsumerProject(dir: string, tarballs: string[], readme: string): void {
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer-host', private: true, type: 'module' }, null, 2)}\n`,
  )
  const files = ['host.ts']
  const snippet = composeSnippet(readme)
  if (snippet) {
    writeFileSync(path.join(dir, 'readme-snippet.ts'), `${snippet}\nexport {}\n`)
    files.push('readme-snippet.ts')
  }
  for (const [name, options] of Object.entries(tsconfigs)) {
    const config = { compilerOptions: { ...strictest, ...options }, files }
    writeFileSync(path.join(dir, name), `${JSON.stringify(config, null, 2)}\n`)
  }
  copyFileSync(fixture('host.ts'), path.join(dir, 'host.ts'))
  copyFileSync(fixture('require-all.cjs'), path.join(dir, 'require-all.cjs'))
  const typesNode = `@types/node@${workspaceVersion('@types/node')}`
  execFileSync('npm', ['install', ...tarballs, typesNode, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    stdio: 'pipe',
  })
}

/** The ts block under the README's "Compose your own" heading, if it still has one. */
function composeSnippet(readme: string): string | undefined {
  return /^## Compose your own\s*\n+```ts\n([\s\S]*?)```/m.exec(readme)?.[1]
}

function workspaceVersion(name: string): string {
  const manifest = workspaceRequire.resolve(`${name}/package.json`)
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
}

/** The workspace's TypeScript compiler on one of the project's tsconfigs: its diagnostics, if any. */
export function tsc(dir: string, tsconfig: keyof typeof tsconfigs): string {
  const compiler = workspaceRequire.resolve('typescript/bin/tsc')
  try {
    execFileSync(process.execPath, [compiler, '-p', tsconfig, '--pretty', 'false'], {
      cwd: dir,
      stdio: 'pipe',
    })
    return ''
  } catch (error) {
    return String((error as { stdout?: Buffer }).stdout ?? error)
  }
}
