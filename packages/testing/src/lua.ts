// Prosody's config file is Lua: every value we interpolate goes through here,
// so a path with a quote or backslash cannot break (or inject into) the config.

const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** A double-quoted Lua string literal. */
export function luaString(value: string): string {
  let body = ''
  for (const char of value) {
    const code = char.charCodeAt(0)
    const isControl = code < 0x20 || code === 0x7f
    body += escapes[char] ?? (isControl ? `\\${code.toString().padStart(3, '0')}` : char)
  }
  return `"${body}"`
}

/** A Lua list of strings: `{ "a"; "b" }`. */
export function luaStringList(values: readonly string[]): string {
  return values.length === 0 ? '{ }' : `{ ${values.map(luaString).join('; ')} }`
}
