/** `''`, `'/'`, `'diag'`, `'/diag/'` → `''`, `''`, `'/diag'`, `'/diag'`: a prefix to put before `/status`. */
export function normaliseBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').replace(/\/+$/, '')
  if (trimmed === '') return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

/** The request's URL (path and query); `undefined` for a URL that is not a path. */
export function requestUrl(url: string | undefined): URL | undefined {
  try {
    return new URL(url ?? '/', 'http://mount.invalid')
  } catch {
    return undefined
  }
}
