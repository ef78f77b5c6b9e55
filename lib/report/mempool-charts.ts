/** The mempool section's charts. */
import { barChart, lineChart, type Chart, type Point } from './chart.js';
import { histogramBars } from './census-charts.js';
import { FEERATE_BANDS, type MempoolAggregate } from './mempool.js';

/** A band's name: "2–3 sat/vB", the last "≥ 2000 sat/vB". */
export function bandName(i: number): string {
  return i + 1 < FEERATE_BANDS.length ? `${FEERATE_BANDS[i]}–${FEERATE_BANDS[i + 1]}` : `≥ ${FEERATE_BANDS[i]}`;
}

export function mempoolFacts(m: MempoolAggregate): string[] {
  const rows = m.samples.rows();
  const last = rows.length > 0 ? rows[rows.length - 1][1] : undefined;
  return [
    ...(last === undefined ? [] : [`last mempool line: ${last.count} transactions, ${last.vsize} vB`]),
    ...(last?.medians === undefined || last.medians.length === 0 ? [] : [`next blocks' median feerates, in the last line: ${last.medians.join(', ')} sat/vB`]),
    ...(m.replaced === 0 ? [] : [`${m.replaced} replaced (${m.rbfSignaled} had signalled BIP 125)`]),
    ...(m.evictReasons.total === 0 ? [] : [`${m.evictReasons.total} evicted (${m.evictReasons.top(8).map(([r, n]) => `${r} ${n}`).join(', ')})`]),
    ...(m.toConfirm.total === 0 ? [] : [`${m.toConfirm.total} confirmed: median ≤ ${m.toConfirm.quantile(0.5)} s, p90 ≤ ${m.toConfirm.quantile(0.9)} s in the mempool`]),
  ];
}

export function mempoolCharts(m: MempoolAggregate): Chart[] {
  const charts: Chart[] = [];
  const samples = m.samples.rows().filter(([, s]) => s.time > -Infinity);
  if (samples.length > 0) {
    const at = (s: { time: number }): number => Math.round(s.time * 1000);
    charts.push(lineChart('Mempool transactions', `Transactions in the mempool view, the last figure per ${m.samples.widthS} s.`, 'time (UTC)', 'transactions', 'figure', samples.map(([, s]) => ({ x: at(s), y: s.count, series: 'count' })), { time: true }));
    charts.push(lineChart('Mempool size', `Virtual size of the mempool view, the last figure per ${m.samples.widthS} s.`, 'time (UTC)', 'virtual size (vB)', 'figure', samples.map(([, s]) => ({ x: at(s), y: s.vsize, series: 'vsize' })), { time: true }));
    const points: Point[] = [];
    const used = new Set<number>();
    for (const [, s] of samples) s.bands?.forEach((v, i) => v > 0 && used.add(i));
    const bands = [...used].sort((a, b) => a - b);
    for (const [, s] of samples) {
      if (s.bands === undefined) continue;
      for (const i of bands) points.push({ x: at(s), y: s.bands[i], series: bandName(i) });
    }
    if (points.length > 0) {
      charts.push(
        lineChart('Mempool by feerate', 'Virtual size in each feerate band over time, stacked (lowest feerate at the bottom).', 'time (UTC)', 'virtual size (vB)', 'feerate (sat/vB)', points, {
          time: true,
          area: true,
          order: bands.map(bandName),
        }),
      );
    }
  }
  const blockName = (i: number): string => `block ${i + 1}`;
  const medians: Point[] = samples.flatMap(([, s]) => (s.medians ?? []).map((y, i) => ({ x: Math.round(s.time * 1000), y, series: blockName(i) })));
  if (medians.length > 0) {
    const order = Array.from({ length: Math.max(...samples.map(([, s]) => s.medians?.length ?? 0)) }, (_, i) => blockName(i));
    charts.push(lineChart("Next blocks' feerate", "The median feerate of each projected block (the next block first, built as Core's BlockAssembler would, over the transactions with a known fee), the last line per bucket.", 'time (UTC)', 'median feerate (sat/vB)', 'projected block', medians, { time: true, order }));
  }
  const hours = m.perHour.rows();
  if (hours.length > 0) {
    const points: Point[] = hours.flatMap(([start, h]) => [
      { x: start * 1000, y: h.replaced, series: 'replaced' },
      { x: start * 1000, y: h.evicted, series: 'evicted' },
    ]);
    charts.push(lineChart('Replacements and evictions', `Replacements and evictions per ${m.perHour.widthS / 3600} h.`, 'time (UTC)', `transactions per ${m.perHour.widthS / 3600} h`, 'line kind', points, { time: true }));
  }
  if (m.toConfirm.total > 0) charts.push(barChart('Time to confirmation', 'Confirmed transactions by how long they were in the mempool view.', 'time in the mempool (s)', 'transactions', histogramBars(m.toConfirm)));
  return charts;
}
