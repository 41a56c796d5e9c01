// Every setting path a JSON Schema describes, spelled as the README's key reference spells them:
// `listen[].port`, `routes.<domain>[].host`, `policy.domains.<domain>.tls`.

type JsonSchema = {
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
  additionalProperties?: JsonSchema | boolean
}

export function settingPaths(schema: JsonSchema, prefix = ''): string[] {
  const paths: string[] = []
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    paths.push(path, ...childPaths(child, path))
  }
  return paths
}

function childPaths(schema: JsonSchema, path: string): string[] {
  if (schema.items) return childPaths(schema.items, `${path}[]`)
  if (typeof schema.additionalProperties === 'object')
    return childPaths(schema.additionalProperties, `${path}.<domain>`)
  return settingPaths(schema, path)
}
