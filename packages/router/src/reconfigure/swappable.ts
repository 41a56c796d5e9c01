/**
 * One object that components keep for their whole life, whose implementation can be
 * replaced underneath them: the stream context, the policy and the resolver are handed
 * to sessions, links and auth mechanisms once, and a reload must not chase every copy.
 */
export interface Swappable<T extends object> {
  /** What every holder keeps: reads and calls go to the current implementation. */
  readonly view: T
  /** The implementation behind the view right now. */
  readonly current: T
  /** Replaces the implementation; holders of the view see the new one on their next read. */
  swap(next: T): void
}

/**
 * `initial` may be left out when the implementation needs the view to be built (the
 * stream context needs auth mechanisms, which are given the policy view): reading
 * before the first swap() is a bug and throws.
 */
export function swappable<T extends object>(initial?: T): Swappable<T> {
  let implementation = initial
  // Methods run against the implementation they were read from (their `this`), bound once per
  // implementation: the policy's and the context's are read for every stanza.
  let bound = new Map<PropertyKey, unknown>()
  const built = (): T => {
    if (implementation === undefined) throw new Error('read before it was built')
    return implementation
  }
  const view = new Proxy({} as T, {
    get(_target, key) {
      const current = built()
      const value: unknown = Reflect.get(current, key, current)
      if (typeof value !== 'function') return value
      const cached = bound.get(key) as { fn: unknown; bound: unknown } | undefined
      if (cached?.fn === value) return cached.bound
      const method = value.bind(current)
      bound.set(key, { fn: value, bound: method })
      return method
    },
    has: (_target, key) => Reflect.has(built(), key),
    ownKeys: () => Reflect.ownKeys(built()),
    getOwnPropertyDescriptor(_target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(built(), key)
      // The proxy's target is an empty object: every property it reports must be configurable.
      return descriptor && { ...descriptor, configurable: true }
    },
  })
  return {
    view,
    get current() {
      return built()
    },
    swap(next) {
      implementation = next
      bound = new Map()
    },
  }
}
