/**
 * runCrawl in this process, with injected DNS (never the internet): its stdout lines and stderr
 * log lines as they come, and a way to stop it (stdout's reader going away, as with `| head`).
 */
import { PassThrough, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { createLogger } from '../../lib/log/logger.js';
import { runCrawl, type RunDeps } from '../../lib/cli/crawl-run.js';
import type { CrawlOptions } from '../../lib/crawler/options.js';
import { DEFAULT_PEER_TIMINGS } from '../../lib/peer/timing.js';
import { DEFAULT_INVENTORY_LIMITS } from '../../lib/crawler/inventory-limits.js';
import { DEFAULT_MAX_PEERS, MAX_HANDSHAKES_IN_FLIGHT } from '../../lib/pool/handshakes.js';
import { NETWORKS } from '../../lib/wire/network.js';
import type { JsonLine } from './crawl-process.js';

/** Options as `crawl` with no flags would have them, on regtest, printing peer lines. */
export function crawlOptions(o: Partial<CrawlOptions> = {}): CrawlOptions {
  return {
    network: NETWORKS.regtest,
    peers: [],
    peer: { ...DEFAULT_PEER_TIMINGS, handshakeTimeoutMs: 10_000 },
    inventory: DEFAULT_INVENTORY_LIMITS,
    emit: new Set(['peer']),
    raw: false,
    reconnect: true,
    discover: true,
    allowLocal: false,
    transport: 'v1',
    maxPeers: DEFAULT_MAX_PEERS,
    maxHandshakes: MAX_HANDSHAKES_IN_FLIGHT,
    metricsPort: undefined,
    statusToTty: false,
    mempoolStatsMs: 0,
    propagationWindowMs: 30_000,
    addrbookPath: undefined,
    ...o,
  };
}

export interface InProcessCrawl {
  readonly lines: JsonLine[];
  readonly logs: string[];
  /** Resolves with the exit status runCrawl returns. */
  readonly status: Promise<number>;
  /** Calls `check` after every stdout line until it returns true. */
  until(check: () => boolean): Promise<void>;
  /** Stdout's reader goes away: the crawl ends as after `| head`. */
  stop(): Promise<number>;
}

export function runInProcess(opts: CrawlOptions, deps: RunDeps): InProcessCrawl {
  const lines: JsonLine[] = [];
  const logs: string[] = [];
  const waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  let partial = '';
  const stdout = new Writable({
    write(chunk: Buffer, _enc, done) {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) lines.push(JSON.parse(l) as JsonLine);
      for (const w of waiters.filter((x) => x.check())) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      done();
    },
  });
  const logStream = new PassThrough();
  createInterface({ input: logStream }).on('line', (l) => logs.push(l));
  const stderr = new Writable({
    write(chunk: Buffer, _enc, done) {
      logStream.write(chunk);
      done();
    },
  });
  const log = createLogger({ level: 'info', format: 'text', stream: logStream });
  const status = runCrawl(opts, { stdin: new PassThrough(), stdout, stderr, env: {} }, log, deps);
  return {
    lines,
    logs,
    status,
    until: (check) => (check() ? Promise.resolve() : new Promise((resolve) => waiters.push({ check, resolve }))),
    stop() {
      stdout.destroy(Object.assign(new Error('reader gone'), { code: 'EPIPE' }));
      return status;
    },
  };
}
