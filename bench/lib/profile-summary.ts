import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Self time per function of one or more V8 CPU profiles, idle excluded; µs. */
export function selfTimes(profiles: CpuProfile[]): Map<string, number> {
  const totals = new Map<string, number>()
  for (const profile of profiles) {
    const names = new Map(profile.nodes.map((node) => [node.id, frameName(node)]))
    profile.samples.forEach((id, i) => {
      const name = names.get(id)!
      // Idle time, and the inspector starting the profiler ('dispatch'), are not the code's.
      if (name === '(idle)' || name === 'dispatch') return
      totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0))
    })
  }
  return totals
}

function frameName(node: ProfileNode): string {
  const { functionName, url } = node.callFrame
  // A regular expression's "function name" is its source: long, and the pattern says enough.
  const name = (functionName || '(anonymous)').slice(0, 60)
  return url ? `${name} ${shortUrl(url)}` : name
}

/** packages/stream/src/xml/parser.ts, ltx/src/Element.js, node:internal/... */
function shortUrl(url: string): string {
  const clean = url.replace(/^file:\/\//, '')
  const pkg = clean.lastIndexOf('/node_modules/')
  if (pkg !== -1) return clean.slice(pkg + '/node_modules/'.length)
  const repo = clean.indexOf('/packages/')
  if (repo !== -1) return clean.slice(repo + 1)
  const bench = clean.indexOf('/bench/')
  return bench !== -1 ? clean.slice(bench + 1) : clean
}

/** The top functions by self time of each kind of worker (profiles grouped by name, run number dropped). */
export async function summarizeProfiles(dir: string, top = 15): Promise<string> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile')).sort()
  const groups = new Map<string, CpuProfile[]>()
  for (const file of files) {
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile
    const group = file.replace(/(-\d+)?\.cpuprofile$/, '')
    groups.set(group, [...(groups.get(group) ?? []), profile])
  }
  const out: string[] = [`CPU profiles: ${dir}`]
  for (const [group, profiles] of groups) {
    const times = [...selfTimes(profiles).entries()].sort((a, b) => b[1] - a[1])
    const busy = times.reduce((sum, [, us]) => sum + us, 0)
    out.push(`\n${group} (${profiles.length} profiles, ${(busy / 1e6).toFixed(2)} s busy): self time`)
    for (const [name, us] of times.slice(0, top)) {
      out.push(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`)
    }
  }
  return out.join('\n')
}
