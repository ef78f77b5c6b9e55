/**
 * `crawl report` on lines the real `crawl` printed: a census of scripted peers, two crawlers'
 * transaction lines and their `crawl merge`, plus synthetic mempool and per-item propagation lines
 * (no producer yet) and broken lines. The aggregates are checked exactly, then the page is opened
 * in a real headless chromium: no console error, every section, every chart drawn, screenshots
 * saved under artefacts/report/ (gitignored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_BOUNDS } from '../../lib/report/bounded.js';
import { MAX_LINE_BYTES } from '../../lib/report/read.js';
import { readReport } from '../../lib/report/run.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import { AddrNetwork, type AddrV2Entry } from '../../lib/wire/messages.js';
import { Browser } from '../support/chromium.js';
import { CRAWL_BIN, runCrawl, type JsonLine } from '../support/crawl-process.js';
import { crawlFixtures } from '../support/fixtures.js';
import { coreHandshake, servingPeer, type ScriptedPeer } from '../support/scripted-peer.js';
import { distinctTxs } from '../support/txs.js';
import { generate } from '../support/report-lines.js';
import { crawlPeakRss, MB } from '../support/memory.js';

const LINES_SMALL = 4_000;
/** How much more the peak RSS may be for ten times the lines: the bench measured ~1 MB between 100 k and 1 M lines. */
const RSS_GROWTH_BOUND_BYTES = 32 * MB;
const ARTEFACTS = fileURLToPath(new URL('../../artefacts/report/', import.meta.url));
const { listen, crawl } = crawlFixtures();

function ipv4(host: string, port: number): AddrV2Entry {
  return { time: 1_700_000_000, services: 0x409n, networkId: AddrNetwork.IPV4, addr: Uint8Array.from(host.split('.').map(Number)), port };
}

/** A node that answers pings, and getaddr with `addrs()`. */
function gossiping(addrs: () => AddrV2Entry[], host: string): Promise<ScriptedPeer> {
  return listen(async (c) => {
    await coreHandshake(c);
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'getaddr') c.send({ command: 'addrv2', addrs: addrs() });
    }
  }, host);
}

/** The independent check of a percentile: the ⌈q·n⌉-th smallest value, then the first bucket bound at or above it. */
function expectedQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const v = sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
  return LOG_BOUNDS.find((b) => b >= v) as number;
}

const ndjson = (lines: readonly JsonLine[]): string => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
const T0 = 1_765_000_000;
const HASH = (i: number): string => i.toString(16).padStart(64, '0');

/** Mempool-monitor lines and per-item propagation lines, as their producers (being built) will print them. */
function syntheticLines(): string {
  const lines: object[] = [];
  const projected = (i: number) => [30 + i, 12, 4].map((m) => ({ n_tx: 10, vsize: 1000, total_fee: 10 * m * 100, median_feerate: m, feerate_range: [m - 1, m - 1, m, m, m, m + 1, m + 2] }));
  for (let i = 0; i < 5; i++) lines.push({ event: 'mempool', time: T0 + i * 60, count: 100 + i, vsize: 1000 * (i + 1), oldest_age: i * 60, feerate_histogram: [[1, 500], [2.5, 300], [12, 200 + i]], next_block_feerate: 29 + i, projected_blocks: projected(i) });
  for (let i = 0; i < 3; i++) lines.push({ event: 'replaced', txid: HASH(i), by: HASH(i + 100), time: T0 + i * 1000, rbf_signaled: i < 2, fee: 200, by_fee: 400 });
  lines.push({ event: 'evicted', txid: HASH(7), reason: 'conflict', by: HASH(8), time: T0 + 10 }, { event: 'evicted', txid: HASH(9), reason: 'expiry', time: T0 + 4000 });
  for (const [i, s] of [10, 20, 30, 600].entries()) lines.push({ event: 'confirmed', txid: HASH(20 + i), block: HASH(99), height: 101, time: T0 + 700 + i, mempool_s: s });
  for (const [i, [p50, p90]] of [[5, 50], [12, 120], [40, 400]].entries()) {
    lines.push({ event: 'propagation', kind: 'block', hash: HASH(50 + i), first: { peer: '127.0.0.2:18444', time: T0 + i * 600 }, announcers: 8, connected: 10, delay_ms: { p10: 1, p25: 2, p50, p75: p90 - 1, p90, max: p90 * 2 }, by_network: { ipv4: 8 } });
  }
  // Blocks: rebuilt with nothing missing, rebuilt after asking for 3, downloaded whole (stale); a reorg.
  for (const [i, compact] of [{ missing: 0, ms: 4 }, { missing: 3, ms: 180 }, false].entries()) {
    lines.push({ event: 'block', hash: HASH(60 + i), height: 101 + i, tx_count: 21, seen_txs: 20 - 5 * i, unseen_txs: 5 * i, compact, ...(i === 2 ? { stale: true } : {}), seen: { peer: '127.0.0.2:18444', time: T0 + 600 * i } });
  }
  lines.push({ event: 'reorg', old_tip: HASH(62), old_height: 103, new_tip: HASH(63), new_height: 103, fork: HASH(61), fork_height: 102, depth: 1, seen: { peer: '127.0.0.2:18444', time: T0 + 1900 } });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

let dir: string;
let census: JsonLine[];
let east: JsonLine[];
let merged: JsonLine[];
let files: string[];
let htmlPath: string;
let run: { code: number | null; stdout: string; stderr: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bitcrawl-report-'));
  mkdirSync(ARTEFACTS, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crawl report', () => {
  /** The lines, from the real `crawl` (census, two vantages) and `crawl merge`; then one `crawl report` of them all. */
  beforeAll(async () => {
    // A census: three nodes in a chain of gossip (1 → 2 → 3), and a refused address gossiped by the last.
    const gone = await listen(async () => {}, '127.0.0.5');
    const refusedPort = gone.port;
    await gone.close();
    const third = await gossiping(() => [ipv4('127.0.0.5', refusedPort)], '127.0.0.4');
    const second = await gossiping(() => [ipv4('127.0.0.4', third.port)], '127.0.0.3');
    const first = await gossiping(() => [ipv4('127.0.0.3', second.port)], '127.0.0.2');
    const c = crawl('--peers', first.address, '--census');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    census = c.lines.all;
    writeFileSync(join(dir, 'census.ndjson'), ndjson(census));

    // Two vantages crawling the same transactions, then `crawl merge` of their files.
    const txs = distinctTxs(6);
    const outputs: JsonLine[][] = [];
    for (const name of ['east', 'west']) {
      const p = await listen(servingPeer(txs).script);
      const v = crawl('--peers', p.address);
      for (const t of txs) await v.waitLine((l) => l.txid === toReversedHex(t.txid), `${name} tx`);
      expect(await v.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      outputs.push(v.txLines());
      writeFileSync(join(dir, `${name}.ndjson`), ndjson(v.txLines()));
    }
    east = outputs[0];
    const m = await runCrawl(['merge', join(dir, 'east.ndjson'), join(dir, 'west.ndjson')]);
    expect(m.code).toBe(0);
    writeFileSync(join(dir, 'merged.ndjson'), m.stdout);
    merged = m.stdout.trim().split('\n').map((l) => JSON.parse(l) as JsonLine);

    writeFileSync(join(dir, 'mempool.ndjson'), syntheticLines());
    const bad = ['not json', JSON.stringify({ event: 'weird' }), JSON.stringify({ event: 'peer', state: 'visited' }), 'x'.repeat(MAX_LINE_BYTES + 10), '{"event":"tx","txid":"ab'].join('\n');
    writeFileSync(join(dir, 'bad.ndjson'), bad);

    files = ['census', 'east', 'merged', 'mempool', 'bad'].map((f) => join(dir, `${f}.ndjson`));
    htmlPath = join(dir, 'report.html');
    run = await runCrawl(['report', ...files, '-o', htmlPath]);
  });

  it('reads every line, counts the bad ones, and its aggregates are exact', async () => {
    expect(merged).toHaveLength(6);
    expect(run.stderr).toBe(`crawl: report: ${census.length + 6 + 6 + 21 + 5} lines read, 5 skipped; written to ${htmlPath}\n`);
    expect(run.code).toBe(0);

    // The aggregates, against the lines themselves.
    const report = await readReport(files, process.stdin);
    expect(Object.fromEntries(report.census.networks.counts)).toEqual({ ipv4: 3 });
    expect(Object.fromEntries(report.census.reasons.counts)).toEqual({ refused: 1 });
    expect(Object.fromEntries(report.census.versions.counts)).toEqual({ 70016: 3 });
    expect(report.census.userAgents.top(20)).toEqual([['/Satoshi:27.0.0/', 3]]);
    expect([0, 3, 10].map((bit) => report.census.serviceBits[bit])).toEqual([3, 3, 3]);
    expect(report.census.heightsBehind()).toEqual([[0, 3]]);
    const rtts = census.filter((l) => l.state === 'visited').map((l) => l.rtt_ms as number);
    expect(rtts).toHaveLength(3);
    expect([report.census.rtt.quantile(0.5), report.census.rtt.quantile(0.9)]).toEqual([expectedQuantile(rtts, 0.5), expectedQuantile(rtts, 0.9)]);

    const tx = report.propagation.kinds.tx;
    expect(tx.items).toBe(12);
    const spreads = east.map((l) => {
      const seen = l.seen as { first: { time: number }; last: { time: number } };
      return Math.round((seen.last.time - seen.first.time) * 1000);
    });
    expect(tx.measures.get('spread')?.quantile(0.9)).toBe(expectedQuantile(spreads, 0.9));
    const between = merged.map((l) => l.spread_ms as number);
    expect([0.5, 0.9].map((q) => tx.measures.get('vantages')?.quantile(q))).toEqual([0.5, 0.9].map((q) => expectedQuantile(between, q)));
    expect([...tx.lag.keys()].sort()).toEqual(['east', 'west']);
    expect(tx.firsts.total).toBe(6);

    const block = report.propagation.kinds.block;
    expect([block.measures.get('p50')?.quantile(0.5), block.measures.get('p90')?.quantile(0.9)]).toEqual([12.5, 400]);
    expect([report.mempool.replaced, report.mempool.rbfSignaled, report.mempool.evictReasons.total]).toEqual([3, 2, 2]);
    expect([report.blocks.blocks, report.blocks.missing.total, report.blocks.whole, report.blocks.stale, report.blocks.reorgs]).toEqual([3, 2, 1, 1, 1]);
    expect(report.blocks.missing.rows()).toEqual([
      [0, 1],
      [5, 1],
    ]);
    // 0, 5 and 10 of 20 never announced.
    expect(report.blocks.unseenPercent.rows()).toEqual([
      [0, 1],
      [50, 2],
    ]);
    expect([report.mempool.toConfirm.quantile(0.5), report.mempool.toConfirm.quantile(0.9)]).toEqual([20, 630]);
    expect(Object.fromEntries(report.skipped)).toEqual({ 'not JSON': 1, 'unknown kind': 1, 'bad shape': 1, overlong: 1, truncated: 1 });
    expect(report.vantages.top(10).map(([k]) => k).sort()).toEqual(['east', 'west']);
  });

  describe('in headless chromium', () => {
    let b: Browser;
    beforeAll(async () => {
      b = await Browser.open();
      await b.goto(`file://${htmlPath}`);
    });
    afterAll(() => b?.close());

    it('no console error, every section, every chart drawn with its numbers; screenshots saved', async () => {
      const page = await b.evaluate<{ sections: string[]; charts: Array<{ title: string; marks: number; rows: number }>; header: string; mempool: string; networks: string[][] }>(`({
        sections: [...document.querySelectorAll('header[id], section[id]')].map((s) => s.id),
        charts: [...document.querySelectorAll('figure.chart')].map((f) => ({
          title: f.querySelector('figcaption strong').textContent,
          marks: f.querySelectorAll('svg g.role-mark path').length,
          rows: f.querySelectorAll('table tr').length - 1,
        })),
        header: document.querySelector('header').innerText,
        mempool: document.querySelector('#mempool').innerText,
        networks: [...document.querySelectorAll('#census-1 table tr')].slice(1).map((tr) => [...tr.cells].map((c) => c.textContent)),
      })`);
      writeFileSync(join(ARTEFACTS, 'report.png'), await b.screenshot());
      for (const s of ['census', 'propagation', 'mempool', 'blocks']) writeFileSync(join(ARTEFACTS, `${s}.png`), await b.screenshot(`#${s}`, 0.5));
      expect(b.errors).toEqual([]);
      expect(page.sections).toEqual(['header', 'census', 'propagation', 'mempool', 'blocks']);
      expect(page.charts.map((c) => c.title)).toEqual([
        'Reachable nodes by network',
        'Protocol versions',
        'Top 20 user agents',
        'Service bits',
        'Start heights',
        'Ping round-trip time',
        'Why nodes were unreachable',
        'Transactions: announcement spread (CDF)',
        'Transactions: spread over time',
        "Transactions: each vantage's lag behind the first",
        'Blocks: announcement spread (CDF)',
        'Blocks: spread over time',
        'Mempool transactions',
        'Mempool size',
        'Mempool by feerate',
        "Next blocks' feerate",
        'Replacements and evictions',
        'Time to confirmation',
        'How blocks came',
        'Transactions a compact block lacked',
        'Compact block to block',
        'Never announced before their block',
        'Reorg depth',
      ]);
      for (const c of page.charts) {
        expect(c.marks, c.title).toBeGreaterThan(0);
        expect(c.rows, c.title).toBeGreaterThan(0);
      }
      expect(page.networks).toEqual([['ipv4', '3']]);
      // The last line's projected blocks (its medians 34, 12, 4), next block first.
      expect(page.mempool).toContain("next blocks' median feerates, in the last line: 34, 12, 4 sat/vB");
      expect(page.header).toMatch(/Lines skipped\s+5: not JSON 1, unknown kind 1, bad shape 1, overlong 1, truncated 1/);
      expect(page.header).toMatch(/Vantages\s+east, west/);
    });

    it("sees what it must: a request the page's policy blocks is a console error", async () => {
      const leak = join(dir, 'leak.html');
      writeFileSync(leak, readFileSync(htmlPath, 'utf8').replace('<main>', '<main><img src="http://127.0.0.1:9/x.png" alt="">'));
      b.errors.length = 0;
      await b.goto(`file://${leak}`);
      expect(b.errors.join('\n')).toMatch(/Content Security Policy/);
    });
  });

  it('an empty input gives a page that says so, status 0; - reads stdin', async () => {
    writeFileSync(join(dir, 'empty.ndjson'), '');
    const r = await runCrawl(['report', join(dir, 'empty.ndjson')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<p class="empty" id="empty">The input was empty: no lines to report on.</p>');
    const s = await runCrawl(['report', '-'], syntheticLines());
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('<section id="mempool"');
    expect(s.stdout).toContain('<dt>Files</dt><dd>stdin</dd>');
  });

  it("memory is the aggregates', not the lines': ten times the lines, the same peak RSS", async () => {
    const peaks: number[] = [];
    for (const n of [LINES_SMALL, LINES_SMALL * 10]) {
      const path = join(dir, `synthetic-${n}.ndjson`);
      await generate(path, n);
      const { code, stderr, peakRss } = await crawlPeakRss(['report', path, '-o', '/dev/null']);
      expect(stderr).toContain(`crawl: report: ${n} lines read`);
      expect(code).toBe(0);
      peaks.push(peakRss);
      rmSync(path);
    }
    // 40,000 lines are ~50 MB of text: a build that kept them peaked 66 MB higher (130 → 196 MB).
    expect(peaks[1] - peaks[0], `peak RSS ${peaks.map((p) => Math.round(p / MB)).join(' → ')} MB`).toBeLessThan(RSS_GROWTH_BOUND_BYTES);
  });

  it('ends quietly with status 0 when its reader closes early (| head -c 100)', async () => {
    const child = spawn(process.execPath, [CRAWL_BIN, 'report', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).toMatch(/^crawl: report: \d+ lines read, 5 skipped\n$/);
    expect(code).toBe(0);
  });

  it.each([
    [['report', '/nonexistent/nope.ndjson'], 1, /^crawl: report: \/nonexistent\/nope\.ndjson: no such file$/],
    [['report', '/'], 1, /^crawl: report: \/: is a directory$/],
    [['report'], 2, /^crawl: crawl report needs NDJSON files to read \(- for stdin\)$/],
    [['report', '-', '-'], 2, /reads stdin \(-\) once/],
    [['report', '/dev/null', '-o', '/nonexistent/dir/report.html'], 1, /^crawl: report: cannot write \/nonexistent\/dir\/report\.html: ENOENT$/],
    [['report', '--peers', '127.0.0.1'], 2, /--peers is not an option of crawl report/],
  ])('%j → one line, status %i', async (args, code, message) => {
    const r = await runCrawl(args);
    expect(r.code).toBe(code);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
