/** The blocks section's facts and charts. */
import { barChart, type Chart } from './chart.js';
import { histogramBars } from './census-charts.js';
import type { BlocksAggregate } from './blocks.js';

export function blockFacts(b: BlocksAggregate): string[] {
  const rebuilt = b.missing.total;
  const asked = rebuilt - (b.missing.counts[0]);
  const out: string[] = [];
  if (b.blocks > 0) {
    const how = rebuilt + b.whole > 0 ? `; rebuilt from a compact block: ${rebuilt} (${asked} with transactions asked for); downloaded whole: ${b.whole}` : '';
    out.push(`blocks: ${b.blocks}${how}${b.stale > 0 ? `; stale: ${b.stale}` : ''}`);
  }
  if (rebuilt > 0) out.push(`compact block to block: median ≤ ${b.rebuildMs.quantile(0.5)} ms, p90 ≤ ${b.rebuildMs.quantile(0.9)} ms`);
  if (b.unseenPercent.total > 0) out.push(`transactions never announced before their block: median ≤ ${b.unseenPercent.quantile(0.5)}% of a block, p90 ≤ ${b.unseenPercent.quantile(0.9)}%`);
  if (b.reorgs > 0) out.push(`reorgs: ${b.reorgs}, the deepest ≤ ${b.reorgDepths.quantile(1)} blocks`);
  return out;
}

export function blockCharts(b: BlocksAggregate): Chart[] {
  const charts: Chart[] = [];
  const rebuilt = b.missing.total;
  if (rebuilt + b.whole > 0) {
    const complete = b.missing.counts[0];
    charts.push(
      barChart('How blocks came', 'Blocks rebuilt from a compact block (BIP 152) with nothing to ask for, rebuilt after asking for the transactions they lacked (getblocktxn), or downloaded whole.', 'arrival', 'blocks', [
        ['rebuilt, nothing missing', complete],
        ['rebuilt, some asked for', rebuilt - complete],
        ['downloaded whole', b.whole],
      ], true),
    );
  }
  if (rebuilt > 0) {
    charts.push(barChart('Transactions a compact block lacked', 'Rebuilt blocks by how many of their transactions the crawler did not hold and asked for.', 'transactions asked for', 'blocks', histogramBars(b.missing)));
    charts.push(barChart('Compact block to block', 'Rebuilt blocks by the time from their cmpctblock to the block rebuilt (a getblocktxn round trip when transactions were missing).', 'time (ms)', 'blocks', histogramBars(b.rebuildMs)));
  }
  if (b.unseenPercent.total > 0) {
    charts.push(barChart('Never announced before their block', "Blocks by the share of their transactions (coinbase aside) no peer had announced to the crawler: mempool.space's block audit calls them unseen.", 'share of the block (%)', 'blocks', histogramBars(b.unseenPercent)));
  }
  if (b.reorgs > 0) charts.push(barChart('Reorg depth', 'Reorgs by how many headers left the best chain.', 'depth (blocks)', 'reorgs', histogramBars(b.reorgDepths)));
  return charts;
}
