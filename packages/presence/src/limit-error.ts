/** Thrown when presence state would grow past a limit: too many users, or contacts for one user. */
export class PresenceLimitError extends Error {
  override readonly name = 'PresenceLimitError'
}
