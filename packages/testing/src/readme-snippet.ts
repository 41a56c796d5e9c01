import { readFileSync } from 'node:fs'

/**
 * Runs the first ```ts block of a README as written, so that the usage a
 * reader copies cannot drift from the code. Imports are resolved from
 * `modules` (what the test imported), and `console` can be replaced to
 * observe what the snippet prints. With `heading`, the first block after that
 * exact heading line runs instead (for a README with more than one usage).
 */
export async function runReadmeSnippet(
  readmeUrl: URL,
  modules: Record<string, unknown>,
  globals: Record<string, unknown> = {},
  heading?: string,
): Promise<void> {
  const readme = readFileSync(readmeUrl, 'utf8')
  const start = heading === undefined ? 0 : readme.indexOf(`\n${heading}\n`)
  if (start < 0) throw new Error(`${readmeUrl.pathname} has no heading ${heading}`)
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1]
  if (!snippet) throw new Error(`${readmeUrl.pathname} has no \`\`\`ts block`)
  const bindings: Record<string, unknown> = { ...globals }
  const body = snippet.replace(
    /^import\s+(.+?)\s+from\s+'([^']+)'\n/gm,
    (_line, what: string, from: string) => {
      const module = modules[from] as Record<string, unknown> | undefined
      if (!module) throw new Error(`the README imports ${from}, which the test did not provide`)
      const named = /^\{(.*)\}$/.exec(what.trim())
      if (named) {
        for (const name of named[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
          if (name) bindings[name] = module[name]
        }
      } else bindings[what.trim()] = module.default ?? module
      return ''
    },
  )
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>
  await new AsyncFunction(...Object.keys(bindings), body)(...Object.values(bindings))
}
