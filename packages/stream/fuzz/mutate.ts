import fc from 'fast-check'
import { DICTIONARY, INTERESTING_BYTES } from './dictionary.js'

/**
 * A position: `aligned` ones land on markup (`<`, `>`, `=`, quotes, `&`), where
 * a mutation changes structure rather than the letters of a message body.
 */
export interface Position {
  readonly n: number
  readonly aligned: boolean
}

export type Mutation =
  | { readonly kind: 'flip'; readonly at: Position; readonly bit: number }
  | { readonly kind: 'set'; readonly at: Position; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: Position; readonly token: number }
  | { readonly kind: 'delete'; readonly at: Position; readonly length: number }
  | {
      readonly kind: 'splice'
      readonly at: Position
      readonly length: number
      readonly donor: number
      readonly from: Position
      readonly take: number
    }
  | { readonly kind: 'truncate'; readonly at: Position }
  | { readonly kind: 'repeat'; readonly at: Position; readonly length: number; readonly times: number }

/** One fuzz input: a corpus seed, the mutations applied to it in order, and where TCP cuts it. */
export interface FuzzInput {
  readonly seed: number
  readonly mutations: readonly Mutation[]
  readonly cuts: readonly number[]
}

/** Inputs never grow past this: repetition is for quadratic paths, not for filling memory. */
export const MAX_INPUT_BYTES = 1024 * 1024

const position: fc.Arbitrary<Position> = fc.record({ n: fc.nat(), aligned: fc.boolean() })
const span = fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 4096 }))

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at: position,
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      at: position,
      byte: fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 })),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: position,
      token: fc.nat({ max: DICTIONARY.length - 1 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: position, length: span }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('splice' as const),
      at: position,
      length: span,
      donor: fc.nat(),
      from: position,
      take: span,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('repeat' as const),
      at: position,
      length: span,
      times: fc.oneof(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 2, max: 20_000 })),
    }),
    weight: 1,
  },
)

/** Inputs over `seedCount` corpus seeds: mostly a few mutations, sometimes none (the seed as recorded). */
export function fuzzInput(seedCount: number): fc.Arbitrary<FuzzInput> {
  return fc.record({
    seed: fc.nat({ max: seedCount - 1 }),
    mutations: fc.array(mutation, { minLength: 0, maxLength: 6 }),
    cuts: fc.array(fc.nat(), { maxLength: 24 }),
  })
}

const MARKUP = new Set([0x3c, 0x3e, 0x3d, 0x22, 0x27, 0x26, 0x2f])

function resolve(bytes: Uint8Array, at: Position): number {
  if (at.aligned) {
    const marks: number[] = []
    for (let i = 0; i < bytes.length; i++) if (MARKUP.has(bytes[i]!)) marks.push(i)
    if (marks.length > 0) return marks[at.n % marks.length]!
  }
  return at.n % (bytes.length + 1)
}

function join(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0)
  return Buffer.concat(parts, Math.min(total, MAX_INPUT_BYTES))
}

function mutate(bytes: Uint8Array, m: Mutation, seeds: readonly Uint8Array[]): Uint8Array {
  const at = resolve(bytes, m.at)
  switch (m.kind) {
    case 'flip':
    case 'set': {
      if (at >= bytes.length) return bytes
      const copy = Uint8Array.from(bytes)
      copy[at] = m.kind === 'flip' ? copy[at]! ^ (1 << m.bit) : m.byte
      return copy
    }
    case 'insert':
      return join(bytes.subarray(0, at), DICTIONARY[m.token]!, bytes.subarray(at))
    case 'delete':
      return join(bytes.subarray(0, at), bytes.subarray(at + m.length))
    case 'splice': {
      const donor = seeds[m.donor % seeds.length]!
      const from = resolve(donor, m.from)
      return join(bytes.subarray(0, at), donor.subarray(from, from + m.take), bytes.subarray(at + m.length))
    }
    case 'truncate':
      return bytes.subarray(0, at)
    case 'repeat': {
      const unit = bytes.subarray(at, at + m.length)
      if (unit.length === 0) return bytes
      const times = Math.min(m.times, Math.floor(MAX_INPUT_BYTES / unit.length))
      return join(bytes.subarray(0, at), Buffer.alloc(unit.length * times, unit), bytes.subarray(at))
    }
  }
}

/** The bytes of an input (deterministic: the same input always gives the same bytes). */
export function applyInput(input: FuzzInput, seeds: readonly Uint8Array[]): Uint8Array {
  let bytes = seeds[input.seed % seeds.length]!
  for (const m of input.mutations) bytes = mutate(bytes, m, seeds)
  return bytes
}

/** The bytes cut into TCP-sized pieces at the input's cut points. */
export function chunksOf(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const to of [...points, bytes.length]) {
    if (to > from) chunks.push(bytes.subarray(from, to))
    from = to
  }
  return chunks
}
