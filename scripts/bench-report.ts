/**
 * `crawl report` on N synthetic lines of the real shapes (tx lines as the crawler prints them,
 * census peer lines, merge and per-item propagation lines, blocks, mempool-monitor lines, ~1%
 * broken), written to a temporary file first. Reported: lines per second (wall time of the whole
 * `crawl report` process, start-up and page included) and its peak RSS (getrusage's maxRSS,
 * read in the child at exit), for N and N/10 lines: memory is the aggregates', so the two should
 * be close.
 *
 *   node --import tsx scripts/bench-report.ts [N]        (default 1,000,000)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../spec/support/report-lines.js';
import { crawlPeakRss, MB } from '../spec/support/memory.js';

const N = Number(process.argv[2] ?? 1_000_000);
if (!Number.isInteger(N) || N <= 0) throw new Error('usage: bench-report.ts [N]');
async function run(path: string): Promise<{ seconds: number; rssMb: number; stderr: string }> {
  const start = process.hrtime.bigint();
  const { code, stderr, peakRss } = await crawlPeakRss(['report', path, '-o', '/dev/null']);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (code !== 0) throw new Error(`crawl report exited ${code}: ${stderr}`);
  return { seconds, rssMb: peakRss / MB, stderr: stderr.split('\n')[0] };
}

const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-bench-report-'));
try {
  for (const n of [Math.max(1, Math.round(N / 10)), N]) {
    const path = join(dir, `${n}.ndjson`);
    await generate(path, n);
    const mb = statSync(path).size / 1e6;
    const r = await run(path);
    console.log(`${n.toLocaleString('en')} lines (${mb.toFixed(0)} MB): ${r.seconds.toFixed(1)} s, ${Math.round(n / r.seconds).toLocaleString('en')} lines/s, ${(mb / r.seconds).toFixed(1)} MB/s, peak RSS ${r.rssMb.toFixed(0)} MB — ${r.stderr}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
