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
 *
 * The policy's and the context's members are read for every stanza, so each member the
 * implementation has when it is swapped in becomes an accessor of the view itself (a read
 * V8 inlines; a Proxy trap it cannot). A method reads as one function bound to the
 * implementation it came from. Members the implementation gains later, and every read
 * before the first swap, go through a Proxy behind the view.
 */
export function swappable<T extends object>(initial?: T): Swappable<T> {
  let implementation = initial
  const built = (): T => {
    if (implementation === undefined) throw new Error('read before it was built')
    return implementation
  }
  const fallback = new Proxy({} as T, {
    get: (_target, key) => bindIfMethod(built(), key),
    has: (_target, key) => Reflect.has(built(), key),
  })
  const view = Object.create(fallback) as T
  const install = (next: T): void => {
    for (const key of memberKeys(next)) Object.defineProperty(view, key, accessorFor(next, key))
  }
  if (initial !== undefined) install(initial)
  return {
    view,
    get current() {
      return built()
    },
    swap(next) {
      implementation = next
      // Members the previous implementation had and this one lacks read as undefined.
      for (const key of Reflect.ownKeys(view)) {
        if (!Reflect.has(next, key)) Object.defineProperty(view, key, accessorFor(next, key))
      }
      install(next)
    },
  }
}

/** A getter reading `key` from `implementation`; a method is bound once, while it stays the same function. */
function accessorFor<T extends object>(implementation: T, key: PropertyKey): PropertyDescriptor {
  // A plain member read (not Reflect.get), which V8 caches per key.
  const members = implementation as Record<PropertyKey, unknown>
  const read = (): unknown => members[key]
  // Looked up, not read: an implementation's getter runs when a holder reads it, never at swap.
  const initial = memberDescriptor(implementation, key)?.value
  if (typeof initial !== 'function') {
    return { get: read, enumerable: true, configurable: true }
  }
  const bound = initial.bind(implementation)
  return {
    get() {
      const value = read()
      return value === initial ? bound : bindIfMethod(implementation, key)
    },
    enumerable: true,
    configurable: true,
  }
}

function bindIfMethod<T extends object>(implementation: T, key: PropertyKey): unknown {
  const value: unknown = Reflect.get(implementation, key, implementation)
  return typeof value === 'function' ? value.bind(implementation) : value
}

function memberDescriptor(target: object, key: PropertyKey): PropertyDescriptor | undefined {
  for (let level: object | null = target; level; level = Object.getPrototypeOf(level)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(level, key)
    if (descriptor) return descriptor
  }
  return undefined
}

/** Own and inherited members, up to (not including) Object.prototype. */
function memberKeys(target: object): Set<PropertyKey> {
  const keys = new Set<PropertyKey>()
  for (
    let level: object | null = target;
    level && level !== Object.prototype;
    level = Object.getPrototypeOf(level)
  ) {
    for (const key of Reflect.ownKeys(level)) if (key !== 'constructor') keys.add(key)
  }
  return keys
}
