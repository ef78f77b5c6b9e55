/** The propagation section's charts. */
import { lineChart, barChart, type Chart, type Point } from './chart.js';
import { MEASURES, type ItemKind, type KindAggregate, type Measure, type PropagationAggregate } from './propagation.js';

const MEASURE_NAMES: Record<Measure, string> = {
  p50: 'p50 announcer delay',
  p90: 'p90 announcer delay',
  spread: 'spread among peers',
  vantages: 'spread between vantages',
};

const KIND_NAMES: Record<ItemKind, string> = { tx: 'Transactions', block: 'Blocks' };

/** A log axis cannot show 0: a spread of 0 ms is drawn at this value. */
const LOG_FLOOR_MS = 0.5;

function cdfPoints(k: KindAggregate): Point[] {
  const points: Point[] = [];
  for (const m of MEASURES) {
    const h = k.measures.get(m);
    if (h === undefined || h.total === 0) continue;
    for (const [bound, share] of h.cdf()) {
      points.push({ x: bound === Infinity ? h.bounds[h.bounds.length - 1] * 2 : Math.max(bound, LOG_FLOOR_MS), y: Number(share.toFixed(4)), series: MEASURE_NAMES[m] });
    }
  }
  return points;
}

/** Key figures: items and percentiles per kind and measure. */
export function propagationFacts(p: PropagationAggregate): string[] {
  const out: string[] = [];
  for (const kind of ['tx', 'block'] as const) {
    const k = p.kinds[kind];
    if (k.items === 0) continue;
    const parts = MEASURES.flatMap((m) => {
      const h = k.measures.get(m);
      return h === undefined || h.total === 0 ? [] : [`${MEASURE_NAMES[m]}: median ≤ ${h.quantile(0.5)} ms, p90 ≤ ${h.quantile(0.9)} ms`];
    });
    out.push(`${KIND_NAMES[kind]}: ${k.items} items${parts.length > 0 ? `; ${parts.join('; ')}` : ''}`);
  }
  return out;
}

export function propagationCharts(p: PropagationAggregate): Chart[] {
  const charts: Chart[] = [];
  for (const kind of ['tx', 'block'] as const) {
    const k = p.kinds[kind];
    const cdf = cdfPoints(k);
    if (cdf.length > 0) {
      charts.push(
        lineChart(
          `${KIND_NAMES[kind]}: announcement spread (CDF)`,
          `Share of ${KIND_NAMES[kind].toLowerCase()} whose spread or announcer delay was at most each value.`,
          'milliseconds (log scale)',
          'share of items',
          'per item',
          cdf,
          { logX: true, step: true },
        ),
      );
    }
    const overTime: Point[] = [];
    let width = 0;
    for (const m of MEASURES) {
      const series = k.overTime.get(m);
      if (series === undefined) continue;
      width = Math.max(width, series.widthS);
      for (const [start, h] of series.rows()) {
        for (const [q, name] of [
          [0.5, 'median'],
          [0.9, 'p90'],
        ] as const) {
          const v = h.quantile(q);
          if (v !== undefined && v !== Infinity) overTime.push({ x: start * 1000, y: v, series: `${MEASURE_NAMES[m]}: ${name}` });
        }
      }
    }
    if (overTime.length > 0) {
      charts.push(
        lineChart(
          `${KIND_NAMES[kind]}: spread over time`,
          `Median and p90 across items of each per-item figure, per ${width} s.`,
          'time (UTC)',
          'milliseconds',
          'figure across items',
          overTime,
          { time: true },
        ),
      );
    }
    if (k.lag.size > 0) {
      const rows: Array<[string, number]> = [];
      for (const [name, h] of [...k.lag].sort((a, b) => (a[0] < b[0] ? -1 : 1))) rows.push([`${name} (first ${k.firsts.get(name)}×)`, h.quantile(0.5) ?? 0]);
      charts.push(barChart(`${KIND_NAMES[kind]}: each vantage's lag behind the first`, 'Median time each vantage heard of an item after the first vantage did.', 'vantage (times it was first)', 'median lag (ms)', rows, true));
    }
  }
  return charts;
}
