import { readdirSync, readFileSync } from 'node:fs'
import { expect, it } from 'vitest'

// The gateway is what users copy and run: its code may use the published packages only.
// The private testing package is for the tests beside it.
const SOURCE = new URL('../src/', import.meta.url)
// `from '…'`, `import '…'` and `import('…')`, of the package or a path in it.
const PRIVATE = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]@xmpp-federation\/testing(?:\/[^'"]*)?['"]/

it('no file under src imports @xmpp-federation/testing', () => {
  const files = readdirSync(SOURCE, { recursive: true, encoding: 'utf8' }).filter((file) =>
    /\.[cm]?[jt]s$/.test(file),
  )
  expect(files.length).toBeGreaterThan(10)
  const importing = files.filter((file) => PRIVATE.test(readFileSync(new URL(file, SOURCE), 'utf8')))
  expect(importing).toEqual([])
})

it('package.json lists @xmpp-federation/testing for development only', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  expect(manifest.dependencies).not.toHaveProperty(['@xmpp-federation/testing'])
  expect(manifest.devDependencies).toHaveProperty(['@xmpp-federation/testing'])
})
