import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { federationConfigJsonSchema, NODE_LOCAL_SETTINGS, parseConfig } from '../src/index.js'
import { settingPaths } from './schema-paths.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('the README', () => {
  it('has a key reference row for every setting', () => {
    const paths = settingPaths(federationConfigJsonSchema())
    const leaves = paths.filter(
      (path) => !paths.some((other) => other.startsWith(`${path}.`) || other.startsWith(`${path}[]`)),
    )
    expect(leaves.filter((path) => !readme.includes(`| \`${path}\``))).toEqual([])
  })

  it('lists every node-local setting', () => {
    const section = readme.slice(
      readme.indexOf('Node-local settings ('),
      readme.indexOf('Cluster-wide settings'),
    )
    expect(NODE_LOCAL_SETTINGS.filter((setting) => !section.includes(`\`${setting}\``))).toEqual([])
  })

  it('shows an example that is a valid configuration', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
    const config = parseConfig(parse(example ?? ''))
    expect(config.policy.domains['legacy.example.org']?.tls).toBe('opportunistic')
  })
})
