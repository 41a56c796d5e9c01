/** `''`, `'/'`, `'diag'`, `'/diag/'` → `''`, `''`, `'/diag'`, `'/diag'`: a prefix to put before `/status`. */
export function normaliseBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').replace(/\/+$/, '')
  if (trimmed === '') return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

/** The path of a request without its query; `undefined` for a URL that is not a path. */
export function requestPath(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://mount.invalid').pathname
  } catch {
    return undefined
  }
}
