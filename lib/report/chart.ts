/**
 * A chart: a Vega-Lite spec and the same numbers as a table (for screen readers and for copying).
 * The builders here make the few kinds the report uses; every one has a title and axis titles with units.
 */
import type { TopLevelSpec } from 'vega-lite';

export type Cell = string | number;

export interface Chart {
  readonly title: string;
  /** One sentence: what the chart shows (the SVG's aria description too). */
  readonly description: string;
  readonly spec: TopLevelSpec;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

/** Chart sizes in CSS pixels. */
export const WIDTH = 420;
export const HEIGHT = 220;

const UTC_AXIS = { format: '%b %d %H:%M', labelAngle: -30, labelOverlap: true } as const;

function base(title: string, description: string, values: object[]): { title: string; description: string; width: number; height: number; data: { values: object[] } } {
  return { title, description, width: WIDTH, height: HEIGHT, data: { values } };
}

/** Bars, one per label, in the given order. */
export function barChart(title: string, description: string, x: string, y: string, rows: readonly (readonly [string, number])[], horizontal = false): Chart {
  const values = rows.map(([label, value], i) => ({ label, value, order: i }));
  const cat = { field: 'label', type: 'nominal', title: x, sort: { field: 'order' }, axis: { labelLimit: 260 } } as const;
  const num = { field: 'value', type: 'quantitative', title: y } as const;
  const spec = {
    ...base(title, description, values),
    ...(horizontal ? { height: Math.max(HEIGHT, rows.length * 18) } : {}),
    mark: { type: 'bar', tooltip: true },
    encoding: horizontal ? { y: cat, x: num } : { x: cat, y: num },
  } as TopLevelSpec;
  return { title, description, spec, columns: [x, y], rows };
}

export interface Point {
  readonly x: number;
  readonly y: number;
  readonly series: string;
}

export interface LineOptions {
  /** x is unix time in ms (drawn in UTC). */
  readonly time?: boolean;
  readonly logX?: boolean;
  readonly step?: boolean;
  readonly area?: boolean;
  /** Series in stacking/legend order. */
  readonly order?: readonly string[];
}

/** Lines (or a stacked area), one per series. */
export function lineChart(title: string, description: string, x: string, y: string, seriesTitle: string, points: readonly Point[], o: LineOptions = {}): Chart {
  const xEnc = o.time
    ? { field: 'x', type: 'temporal', title: x, scale: { type: 'utc' }, axis: UTC_AXIS }
    : { field: 'x', type: 'quantitative', title: x, ...(o.logX ? { scale: { type: 'log' } } : {}) };
  const order = o.order ?? [...new Set(points.map((p) => p.series))];
  const spec = {
    ...base(title, description, points.map((p) => ({ ...p, rank: order.indexOf(p.series) }))),
    mark: o.area ? { type: 'area', tooltip: true } : { type: 'line', point: true, tooltip: true, ...(o.step ? { interpolate: 'step-after' } : {}) },
    encoding: {
      x: xEnc,
      y: { field: 'y', type: 'quantitative', title: y, ...(o.area ? { stack: 'zero' } : {}) },
      color: { field: 'series', type: 'nominal', title: seriesTitle, sort: order, ...(o.area ? { scale: { scheme: 'turbo' } } : {}) },
      ...(o.area ? { order: { field: 'rank' } } : {}),
    },
  } as TopLevelSpec;
  const rows = points.map((p) => [o.time ? new Date(p.x).toISOString() : p.x, p.series, p.y] as const);
  return { title, description, spec, columns: [x, seriesTitle, y], rows };
}
