import { stableJson } from './stable-json.js'

// Settings as a flat map of dotted paths to values, so two configurations can be compared
// setting by setting. Lists and empty objects are single values: `policy.deny`, not `policy.deny[0]`.

/** Dotted setting path (e.g. `policy.deny`) to its value. */
export type FlatSettings = Map<string, unknown>

/** Settings as dotted paths to values; lists and empty objects stay single values. */
export function flattenSettings(settings: Record<string, unknown>): FlatSettings {
  const flat: FlatSettings = new Map()
  const walk = (value: unknown, path: string) => {
    const isBranch =
      typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0
    if (!isBranch) {
      flat.set(path, value)
      return
    }
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) walk(entry, path === '' ? key : `${path}.${key}`)
    }
  }
  walk(settings, '')
  return flat
}

/** Every path whose value is not the same in all of `settings` (absent counts as a value). */
export function differingPaths(settings: readonly FlatSettings[]): string[] {
  const paths = new Set(settings.flatMap((flat) => [...flat.keys()]))
  return [...paths]
    .filter((path) => new Set(settings.map((flat) => valueKey(flat.get(path)))).size > 1)
    .sort()
}

/** A comparable text for a setting value; undefined (absent) differs from every JSON value. */
export function valueKey(value: unknown): string {
  return value === undefined ? '<absent>' : stableJson(value)
}
