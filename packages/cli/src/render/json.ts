/** Version of the --json output shapes; raised only for a change that breaks readers. */
export const JSON_SCHEMA_VERSION = 1

/** Every --json document: `{ schemaVersion, command, ok, ...payload }`, one JSON text and a newline. */
export function jsonDocument(command: string, ok: boolean, payload: object): string {
  return `${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command, ok, ...payload }, null, 2)}\n`
}

export type ErrorKind = 'USAGE' | 'INPUT'

/** What a command that could not run prints with --json. */
export function jsonError(command: string, kind: ErrorKind, message: string): string {
  return jsonDocument(command, false, { error: { code: kind, message } })
}
