import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources, so tests never need a build.
const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))
const alias = [{ find: /^@xmpp-federation\/([a-z-]+)$/, replacement: source('$1') }]

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: [
            'packages/*/test/**/*.spec.ts',
            'examples/*/test/**/*.spec.ts',
            'bench/test/**/*.spec.ts',
          ],
          exclude: ['**/*.interop.spec.ts', '**/node_modules/**'],
          testTimeout: 10_000,
        },
      },
      {
        // Real Prosody/ejabberd peers bind fixed loopback addresses and port 5269:
        // one file at a time keeps them apart and leaves the two cores to the peers.
        resolve: { alias },
        test: {
          name: 'interop',
          include: ['packages/*/test/**/*.interop.spec.ts', 'examples/*/test/**/*.interop.spec.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
