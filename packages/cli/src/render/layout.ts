/** Pads each column to its widest cell, so the rows read as a table. The last column is not padded. */
export function alignColumns(rows: string[][], gap = '  '): string[] {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, visibleLength(cell))
    })
  }
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : pad(cell, widths[index]!)))
      .join(gap)
      .trimEnd(),
  )
}

/** Wraps text at word boundaries to `width` columns, every line indented by `indent`. */
export function wrap(text: string, width: number, indent: string): string[] {
  const room = Math.max(width - indent.length, 30)
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(indent + line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(indent + line)
  return lines
}

function pad(cell: string, width: number): string {
  return cell + ' '.repeat(Math.max(width - visibleLength(cell), 0))
}

// ANSI colour codes take no columns on screen.
function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what it strips
  return text.replace(/\x1b\[[0-9;]*m/g, '').length
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}
