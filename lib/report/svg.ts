/** A chart's Vega-Lite spec → an SVG string, in Node: Vega's string renderer needs no browser and no canvas. */
import { Error as ERROR_LEVEL, parse, View } from 'vega';
import { compile } from 'vega-lite';
import type { Chart } from './chart.js';

/** Fonts named in the SVG: the system's sans-serif (the page loads none). */
const CONFIG = {
  font: 'sans-serif',
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
} as const;

export async function toSvg(chart: Chart): Promise<string> {
  const vg = compile({ ...chart.spec, config: CONFIG } as typeof chart.spec).spec;
  const view = new View(parse(vg), { renderer: 'none', logLevel: ERROR_LEVEL });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
