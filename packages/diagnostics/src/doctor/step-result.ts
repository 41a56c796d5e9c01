import type { DoctorCode } from './codes.js'

/** How much a finding matters: `skip` means the check did not apply or could not run. */
export type StepStatus = 'pass' | 'warn' | 'fail' | 'skip'

/** The doctor's steps, in the order they run. */
export type DoctorStep =
  | 'policy'
  | 'dns'
  | 'tcp'
  | 'starttls'
  | 'direct-tls'
  | 'certificate'
  | 'identity'
  | 'expiry'
  | 'key-usage'
  | 'features'
  | 'auth'

/** Which deployment has to change something: ours, the remote domain's, or either. */
export type FixSide = 'local' | 'remote' | 'either'

/**
 * One finding of the doctor. `code` names the fact (stable, machine-readable); `status`
 * says how much it matters here. `hint` and `side` are set on `warn` and `fail`.
 */
export interface StepResult {
  step: DoctorStep
  status: StepStatus
  code: DoctorCode
  message: string
  hint: string | null
  side: FixSide | null
  /** The `host:port` the step ran against, or null for steps about the domain as a whole. */
  target: string | null
}

type Finding = Omit<StepResult, 'status' | 'hint' | 'side' | 'target'> & { target?: string | null }
type Problem = Finding & { hint: string; side: FixSide }

export const pass = (finding: Finding): StepResult => result('pass', finding)
export const skip = (finding: Finding): StepResult => result('skip', finding)
export const warn = (problem: Problem): StepResult => result('warn', problem)
export const fail = (problem: Problem): StepResult => result('fail', problem)

/** `warn` or `fail` depending on whether the problem blocks federation. */
export const problem = (blocking: boolean, details: Problem): StepResult =>
  result(blocking ? 'fail' : 'warn', details)

function result(status: StepStatus, finding: Finding & { hint?: string; side?: FixSide }): StepResult {
  return {
    step: finding.step,
    status,
    code: finding.code,
    message: finding.message,
    hint: finding.hint ?? null,
    side: finding.side ?? null,
    target: finding.target ?? null,
  }
}

/** How many steps passed, warned, failed and were skipped. */
export interface StepSummary {
  pass: number
  warn: number
  fail: number
  skip: number
}

/** Counts the results by status. */
export function summarize(results: readonly StepResult[]): StepSummary {
  const summary: StepSummary = { pass: 0, warn: 0, fail: 0, skip: 0 }
  for (const { status } of results) summary[status]++
  return summary
}
