/** An input the command needs cannot be used (a file that cannot be read or parsed): exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError'
}
