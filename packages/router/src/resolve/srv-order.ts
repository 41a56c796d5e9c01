/** What RFC 2782 orders by: lower priority first, weight shares load within one priority. */
export interface Prioritized {
  priority: number
  weight: number
}

/**
 * The connection order of RFC 2782 ("Usage rules"): ascending priority, and
 * within one priority the weighted random selection, step by step:
 *
 *  - arrange the unordered records with every weight-0 record at the beginning;
 *  - compute the sum of their weights and each record's running sum;
 *  - choose a uniform random number in [0, sum] (inclusive) and select the first
 *    record whose running sum is >= that number;
 *  - remove it, append it to the result, repeat until none is left.
 *
 * So a weight-0 record is picked first with probability 1/(sum+1) each round,
 * and records of weight 0 alone keep their given order. `random` returns [0, 1).
 */
export function orderByPriorityAndWeight<T extends Prioritized>(
  records: readonly T[],
  random: () => number,
): T[] {
  const priorities = [...new Set(records.map((record) => record.priority))].sort((a, b) => a - b)
  return priorities.flatMap((priority) =>
    weightedOrder(
      records.filter((record) => record.priority === priority),
      random,
    ),
  )
}

function weightedOrder<T extends Prioritized>(group: T[], random: () => number): T[] {
  const unordered = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight !== 0)]
  const ordered: T[] = []
  while (unordered.length > 0) {
    const sum = unordered.reduce((total, record) => total + record.weight, 0)
    const chosen = uniformInteger(sum, random)
    let running = 0
    // Always found: the last running sum is the sum itself, and chosen <= sum.
    const index = unordered.findIndex((record) => {
      running += record.weight
      return running >= chosen
    })
    ordered.push(...unordered.splice(index, 1))
  }
  return ordered
}

/** A uniform integer in [0, max], clamped so a misbehaving random cannot step outside. */
function uniformInteger(max: number, random: () => number): number {
  return Math.min(max, Math.max(0, Math.floor(random() * (max + 1))))
}
