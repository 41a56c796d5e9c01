import { styleText } from 'node:util'

export type Mark = 'pass' | 'warn' | 'fail' | 'skip'

const SYMBOLS: Record<Mark, string> = { pass: '✔', warn: '⚠', fail: '✖', skip: '·' }
const COLORS = { pass: 'green', warn: 'yellow', fail: 'red', skip: 'gray' } as const

/** ✔ ⚠ ✖ · for pass, warn, fail, skip; coloured on a terminal. */
export function mark(status: Mark, color: boolean): string {
  return color ? styleText(COLORS[status], SYMBOLS[status]) : SYMBOLS[status]
}

/** The worse of two statuses. */
export function worst(a: Mark, b: Mark): Mark {
  const order: Mark[] = ['skip', 'pass', 'warn', 'fail']
  return order.indexOf(a) >= order.indexOf(b) ? a : b
}
