/**
 * Runs tasks one after another per key, concurrently across keys: a user's
 * read-decide-write never interleaves with another for the same user, which an
 * async store would otherwise allow (and lose one of the two updates).
 */
export function serialPerKey(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>()
  return (key, task) => {
    const previous = tails.get(key) ?? Promise.resolve()
    const result = previous.then(task)
    const tail = result.catch(() => {})
    tails.set(key, tail)
    // The last task of a key removes its entry, so idle keys take no memory.
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return result
  }
}
