import { access, chmod, rm, writeFile } from 'node:fs/promises'

/** Readable by its owner only: what a private key file needs. */
export const SECRET_MODE = 0o600
/** Readable by everyone: certificates are public. */
export const PUBLIC_MODE = 0o644

/**
 * Writes a new file with exactly this mode. A file already there is removed first, so a
 * key never sits for a moment under the looser mode of the file it replaces.
 */
export async function writeNewFile(path: string, text: string, mode: number): Promise<void> {
  await rm(path, { force: true })
  await writeFile(path, text, { mode, flag: 'wx' })
  // The umask filtered the mode given to writeFile.
  await chmod(path, mode)
}

/** The paths among these that exist. */
export async function existingFiles(paths: readonly string[]): Promise<string[]> {
  const found = await Promise.all(
    paths.map((path) =>
      access(path).then(
        () => true,
        () => false,
      ),
    ),
  )
  return paths.filter((_, index) => found[index])
}
