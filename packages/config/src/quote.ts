/** A value as it appears in a message: strings in single quotes, unless they need JSON escapes. */
export function quote(value: unknown): string {
  if (typeof value !== 'string') return String(value)
  return /^[\x20-\x7e]*$/.test(value) && !value.includes("'") ? `'${value}'` : JSON.stringify(value)
}
