import type { Workdir } from '@xmpp-federation/testing'
import type { Options } from './options.js'
import type { BenchPki } from './pki.js'

/** What every scenario gets: the options, the certificates, where to put files and profiles. */
export interface BenchContext {
  readonly options: Options
  readonly pki: BenchPki
  /** Scratch directory of this bench run (certificates, Prosody instances). */
  readonly workdir: Workdir
  /** Where workers write CPU profiles when --profile is given. */
  readonly profileDir: string | undefined
  /** Progress lines on stderr. */
  log(message: string): void
}
