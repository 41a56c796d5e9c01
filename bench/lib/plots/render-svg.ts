import * as vega from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'

/** Shared look: the same font, size and palette in every plot, white background for dark-mode readers. */
export const THEME = {
  background: 'white',
  font: 'sans-serif',
  width: 520,
  height: 300,
  /** Library, baseline, Prosody: the same colour for the same side in every plot. */
  colors: { library: '#1f77b4', baseline: '#7f7f7f', prosody: '#d62728', goal: '#2ca02c' },
} as const

/** A Vega-Lite specification rendered headless (no canvas, no DOM) to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: compiled } = compile({ background: THEME.background, ...spec } as TopLevelSpec, {
    config: { font: THEME.font },
  })
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
