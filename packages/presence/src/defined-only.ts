/** Drops keys whose value is undefined, so stanzas and stored records carry no empty fields. */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
