// The Prometheus text exposition format (version 0.0.4), for the few metric types we need.
// https://prometheus.io/docs/instrumenting/exposition_formats/

/** The Content-Type of renderPrometheus output (Prometheus text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export type Labels = Record<string, string>

export interface MetricFamily {
  name: string
  help: string
  type: 'gauge' | 'counter'
  /** How two samples with the same labels merge (several streams with one domain). */
  merge: 'sum' | 'min' | 'max'
  samples: Map<string, { labels: Labels; value: number }>
}

export function metricFamily(
  name: string,
  type: MetricFamily['type'],
  help: string,
  merge: MetricFamily['merge'] = 'sum',
): MetricFamily {
  return { name, help, type, merge, samples: new Map() }
}

export function addSample(family: MetricFamily, labels: Labels, value: number): void {
  const key = formatLabels(labels)
  const known = family.samples.get(key)
  if (!known) {
    family.samples.set(key, { labels, value })
    return
  }
  if (family.merge === 'sum') known.value += value
  else if (family.merge === 'min') known.value = Math.min(known.value, value)
  else known.value = Math.max(known.value, value)
}

export function renderFamilies(families: readonly MetricFamily[]): string {
  const lines: string[] = []
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`)
    for (const [labels, { value }] of family.samples)
      lines.push(`${family.name}${labels} ${formatValue(value)}`)
  }
  return `${lines.join('\n')}\n`
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
  return pairs.length > 0 ? `{${pairs.join(',')}}` : ''
}

// Label values escape backslash, double quote and line feed; HELP text only backslash and line feed.
const escapeLabelValue = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return '+Inf'
  if (value === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(value)
}
