/** The network benchmark's figures: one run's result, and how it is printed. */
import { cpus } from 'node:os';
import { percentile } from '../../spec/support/stats.js';

export type Transport = 'v1' | 'v2';

export interface Dist {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface Result {
  readonly transport: Transport;
  readonly handshakes: number;
  readonly handshakeS: number;
  readonly handshakeCrawlerCpuS: number;
  readonly window: number;
  readonly printedOnce: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly unknownLines: number;
  /** Lines of other kinds than tx (e.g. propagation with BENCH_CRAWL_ARGS), not counted as tx lines. */
  readonly otherLines: number;
  readonly getdataPerTx: number;
  readonly getdataItems: number;
  readonly notfoundItems: number;
  /** First inv sent (the earliest any peer sent it) → the line read from the crawler's stdout. */
  readonly latency: Dist;
  /** First inv sent → first getdata received (the crawler's inv handling and request). */
  readonly firstInvToGetdata: Dist;
  /** First getdata received → line read (serving, the crawler's decode and print, our reading). */
  readonly getdataToLine: Dist;
  /** The line's seen.first.time (when the crawler read the first announcement) − when it was first sent. */
  readonly stampError: Dist;
  readonly crawlerCpuPct: number;
  /** Crawler CPU over the window ÷ the window's transactions. */
  readonly crawlerCpuPerTxMs: number;
  readonly simCpuPct: number;
  /** The rest of the machine (other engineers' work, burners) over the window, in % of one core. */
  readonly othersCpuPct: number;
  readonly simLoopDelayP99Ms: number;
  readonly simLoopDelayMaxMs: number;
  readonly crawlerHwmMb: number;
  readonly crawlerRssMb: number;
  readonly simRssMb: number;
  readonly accepted: number;
  readonly closedDuringRun: number;
  readonly protocolErrors: number;
  readonly invsSent: number;
  readonly invItemsSent: number;
  /** SIGTERM → the crawler's exit. */
  readonly shutdownS: number;
  /** SIGTERM → the summary line (every peer closed, stdout flushed); the rest is process exit. */
  readonly summaryS: number;
  readonly stderr: string[];
  readonly exit: string;
}

export function dist(values: number[]): Dist {
  const xs = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return { p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs[xs.length - 1] ?? NaN };
}

const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)}` : '—');
const d = (x: Dist): string => `p50 ${ms(x.p50)} / p99 ${ms(x.p99)} / max ${ms(x.max)} ms`;

export function printResult(K: number, r: Result): void {
  const t = r.transport;
  console.log(
    `[${t}] handshakes ${r.handshakes}/${K} in ${r.handshakeS.toFixed(1)} s (crawler CPU ${r.handshakeCrawlerCpuS.toFixed(1)} s); ` +
      `accepted ${r.accepted} connections, ${r.closedDuringRun} closed during the run, ${r.protocolErrors} protocol errors; ` +
      `SIGTERM → summary ${r.summaryS.toFixed(2)} s → exit ${r.shutdownS.toFixed(2)} s (exit ${r.exit})`,
  );
  console.log(
    `[${t}] window: ${r.window} txs; printed once ${r.printedOnce}, duplicates ${r.duplicates}, missing ${r.missing}, unknown lines ${r.unknownLines}, other kinds ${r.otherLines}; ` +
      `getdata ${r.getdataItems} items = ${r.getdataPerTx.toFixed(3)}/tx, notfound ${r.notfoundItems}; invs sent ${r.invsSent} (${r.invItemsSent} items)`,
  );
  console.log(
    `[${t}] latency first inv → line read: ${d(r.latency)}; crawler CPU ${r.crawlerCpuPct.toFixed(1)}% of a core = ${r.crawlerCpuPerTxMs.toFixed(2)} ms per tx, ` +
      `VmHWM ${r.crawlerHwmMb.toFixed(0)} MB (RSS at window end ${r.crawlerRssMb.toFixed(0)} MB)`,
  );
  console.log(
    `[${t}] simulators CPU ${r.simCpuPct.toFixed(1)}%, event-loop delay p99 ${r.simLoopDelayP99Ms.toFixed(1)} ms / max ${r.simLoopDelayMaxMs.toFixed(1)} ms, RSS ${r.simRssMb.toFixed(0)} MB; ` +
      `everything else on the machine ${r.othersCpuPct.toFixed(0)}% of a core (of ${cpus().length * 100}%)`,
  );
  console.log(`[${t}] latency split: first inv → getdata at the peer ${d(r.firstInvToGetdata)}; getdata → line read ${d(r.getdataToLine)}`);
  console.log(`[${t}] seen.first.time − first inv sent (the timestamp's error, ms resolution): ${d(r.stampError)}`);
  if (r.stderr.length > 0) console.log(`[${t}] crawler stderr (first ${r.stderr.length} lines):\n    ${r.stderr.join('\n    ')}`);
}

export function printTable(K: number, results: readonly Result[]): void {
  console.log("\n| K | transport | printed once | dup | getdata/tx | latency p50 / p99 / max (ms) | crawler CPU | CPU per tx | crawler VmHWM | handshakes | SIGTERM → exit | simulators' CPU | others' CPU |");
  console.log('|---:|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${K.toLocaleString('en')} | ${r.transport} | ${r.printedOnce === r.window ? 'yes' : 'NO'} (${r.printedOnce}/${r.window}) | ${r.duplicates} | ${r.getdataPerTx.toFixed(3)} | ` +
        `${ms(r.latency.p50)} / ${ms(r.latency.p99)} / ${ms(r.latency.max)} | ${r.crawlerCpuPct.toFixed(1)}% | ${r.crawlerCpuPerTxMs.toFixed(2)} ms | ${r.crawlerHwmMb.toFixed(0)} MB | ` +
        `${r.handshakeS.toFixed(1)} s | ${r.shutdownS.toFixed(2)} s | ${r.simCpuPct.toFixed(1)}% | ${r.othersCpuPct.toFixed(0)}% |`,
    );
  const v1 = results.find((r) => r.transport === 'v1');
  const v2 = results.find((r) => r.transport === 'v2');
  if (v1 && v2)
    console.log(
      `\nv2 / v1 crawler CPU over the window: ${(v2.crawlerCpuPct / v1.crawlerCpuPct).toFixed(2)}; during the handshakes: ${(v2.handshakeCrawlerCpuS / v1.handshakeCrawlerCpuS).toFixed(2)} ` +
        `(${v1.handshakeCrawlerCpuS.toFixed(1)} → ${v2.handshakeCrawlerCpuS.toFixed(1)} s)`,
    );
}
