import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { federationConfigJsonSchema, JSON_SCHEMA_FILE } from '../src/index.js'

const packageFile = (path: string) => new URL(`../${path}`, import.meta.url)

describe('the committed JSON Schema', () => {
  it('is generated from the zod schema (regenerate: npx tsx packages/config/scripts/write-schema.ts)', () => {
    // Compared as data, so formatting the file (biome) does not make it stale.
    const committed = JSON.parse(readFileSync(packageFile(JSON_SCHEMA_FILE), 'utf8'))
    expect(committed).toEqual(federationConfigJsonSchema())
  })

  it('describes the file format: strict objects, domains required, defaults optional', () => {
    const schema = federationConfigJsonSchema() as {
      required: string[]
      additionalProperties: boolean
      properties: Record<string, { default?: unknown }>
    }
    expect(schema.required).toEqual(['domains'])
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties.enabled?.default).toBe(true)
  })
})
