/** The report's pure parts: bounded aggregates, the line splitter, each line kind's reading, and the page's escaping. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Report } from '../../lib/report/aggregate.js';
import { Counter, Histogram, LOG_BOUNDS, OTHER, TimeSeries } from '../../lib/report/bounded.js';
import { MAX_USER_AGENTS } from '../../lib/report/census.js';
import { bandOf, FEERATE_BANDS, MAX_PROJECTED } from '../../lib/report/mempool.js';
import { renderPage } from '../../lib/report/page.js';
import { MAX_TIME_BUCKETS, TIME_BUCKET_S } from '../../lib/report/propagation.js';
import { LineSplitter } from '../../lib/output/line-splitter.js';

function split(chunks: readonly string[], max: number): Array<string | number> {
  const out: Array<string | number> = [];
  const s = new LineSplitter({ line: (t, n, atEnd) => out.push(`${n}:${t}${atEnd ? '$' : ''}`), overlong: (n) => out.push(n) }, max);
  for (const c of chunks) s.push(Buffer.from(c));
  s.end();
  return out;
}

describe('bounded aggregates', () => {
  it('a histogram gives the bucket bound of the ⌈q·n⌉-th value', () => {
    const h = new Histogram();
    for (const v of [0, 1, 7, 7.5, 100, 1e9]) h.add(v);
    expect(h.quantile(0.5)).toBe(8); // 3rd of 6: 7 → the bucket ≤ 8
    expect(h.quantile(0.1)).toBe(0);
    expect(h.quantile(1)).toBe(Infinity);
    expect(h.rows()).toEqual([[0, 1], [1, 1], [8, 2], [100, 1], [Infinity, 1]]);
    expect(h.cdf().at(-1)).toEqual([Infinity, 1]);
    h.add(-1);
    h.add(NaN);
    expect(h.total).toBe(6);
    expect(LOG_BOUNDS.slice(0, 12)).toEqual([0, 1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8, 10]);
  });

  it('a counter keeps at most its bound of keys, the rest under "(other)", the total exact', () => {
    const c = new Counter(3);
    for (const k of ['a', 'b', 'a', 'c', 'd', 'e', 'a']) c.add(k);
    expect(c.counts.size).toBe(4);
    expect(c.top(2)).toEqual([['a', 3], ['b', 1], [OTHER, 3]]);
    expect(c.total).toBe(7);
  });

  it('a time series never holds more than its bound of buckets, whatever the times', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 4e9, noNaN: true }), { maxLength: 400 }), (times) => {
        const s = new TimeSeries<{ n: number }>(60, 16, () => ({ n: 0 }), (a, b) => (a.n += b.n));
        for (const t of times) s.at(t).n++;
        const rows = s.rows();
        expect(rows.length).toBeLessThanOrEqual(16);
        expect(rows.reduce((sum, [, v]) => sum + v.n, 0)).toBe(times.length);
        for (const t of times) expect(rows.some(([start]) => start <= t && t < start + s.widthS)).toBe(true);
      }),
    );
  });
});

describe('the line splitter', () => {
  it('joins lines across chunks, skips an overlong one whole, and hands on a last line without newline', () => {
    expect(split(['ab', 'c\nde', 'f\n', 'g'], 10)).toEqual(['1:abc', '2:def', '3:g$']);
    expect(split(['12345', '678901\nok\n', '123456789012'], 10)).toEqual([1, '2:ok', 3]);
    expect(split(['0123456789\n'], 10)).toEqual(['1:0123456789']);
  });
});

const peer = (network: string, ua: string, i: number): string =>
  JSON.stringify({ event: 'peer', state: 'visited', peer: `10.0.0.${i}:8333`, network, time: 1e9 + i, version: 70016, services: '0x0000000000000c09', user_agent: ua, start_height: 900_000 - (i % 3), transport: 'v2', rtt_ms: i });

describe('reading lines', () => {
  it('counts each kind and each bad line by why, and crashes on none', () => {
    const r = new Report();
    const lines = [peer('ipv4', '/a/', 1), '', '[1,2]', '{"event":5}', 'nul\u0000', JSON.stringify({ event: 'mempool', time: 5, count: -1, vsize: 2 }), JSON.stringify({ event: 'replaced', time: 5 })];
    lines.forEach((l, i) => r.line(l, 'f', i + 1));
    r.line('{"event":"peer"', 'f', 8, true);
    expect(r.lines).toBe(7);
    expect(Object.fromEntries(r.skipped)).toEqual({ 'unknown kind': 2, 'not JSON': 1, 'bad shape': 2, truncated: 1 });
    expect(r.firstSkipped[0]).toEqual({ reason: 'unknown kind', file: 'f', line: 3 });
  });

  it('keeps at most MAX_USER_AGENTS user agents however many distinct ones come', () => {
    const r = new Report();
    for (let i = 0; i < MAX_USER_AGENTS + 500; i++) r.line(peer('ipv4', `/x:${i}/`, i), 'f', i);
    expect(r.census.userAgents.counts.size).toBe(MAX_USER_AGENTS + 1);
    expect(r.census.userAgents.get(OTHER)).toBe(500);
    expect(r.census.serviceBits[11]).toBe(MAX_USER_AGENTS + 500);
  });

  it('reads both propagation shapes and keeps the time series bounded over a long span', () => {
    const r = new Report();
    for (let i = 0; i < 2_000; i++) {
      r.line(JSON.stringify({ event: 'propagation', kind: 'tx', txid: 'a'.repeat(64), vantages: { a: { first: i * 3600 }, b: { first: i * 3600 + 0.25 } }, first_vantage: 'a', spread_ms: 250 }), 'f', i);
      r.line(JSON.stringify({ event: 'propagation', kind: 'block', hash: 'b'.repeat(64), first: { peer: 'p', time: i * 3600 }, delay_ms: { p50: 30, p90: 90 } }), 'f', i);
    }
    const tx = r.propagation.kinds.tx;
    expect(tx.measures.get('vantages')?.quantile(0.5)).toBe(250);
    expect(tx.lag.get('b')?.quantile(1)).toBe(250);
    expect(tx.firsts.get('a')).toBe(2_000);
    expect(r.propagation.kinds.block.measures.get('p90')?.quantile(0.5)).toBe(100);
    expect(tx.overTime.get('vantages')?.size).toBeLessThanOrEqual(MAX_TIME_BUCKETS);
    expect(r.vantages.top(5)).toEqual([['a', 2_000], ['b', 2_000]]);
  });

  it('reads the projected blocks\' medians of a mempool line, at most MAX_PROJECTED, none from a list of another shape', () => {
    const r = new Report();
    const blocks = (medians: unknown[]) => medians.map((m) => ({ n_tx: 1, vsize: 100, total_fee: 100, median_feerate: m, feerate_range: [1, 1, 1, 1, 1, 1, 1] }));
    const line = (t: number, projected: unknown) => JSON.stringify({ event: 'mempool', time: t, count: 1, vsize: 100, projected_blocks: projected });
    r.line(line(0, blocks(Array.from({ length: 12 }, (_, i) => 20 - i))), 'f', 1);
    r.line(line(TIME_BUCKET_S, blocks([3, 'x'])), 'f', 2);
    r.line(line(2 * TIME_BUCKET_S, { median_feerate: 3 }), 'f', 3);
    r.line(line(3 * TIME_BUCKET_S, [null]), 'f', 4);
    expect(r.mempool.samples.rows().map(([, s]) => s.medians)).toEqual([Array.from({ length: MAX_PROJECTED }, (_, i) => 20 - i), undefined, undefined, undefined]);
    // The lines count all the same: the medians are optional.
    expect(r.skipped.size).toBe(0);
  });

  it('puts a feerate in the band whose lower bound is the last at or below it', () => {
    expect([0.5, 1, 1.9, 2, 99, 100, 5000].map((f) => FEERATE_BANDS[bandOf(f)])).toEqual([0, 1, 1, 2, 90, 100, 2000]);
  });
});

describe('block and reorg lines', () => {
  const block = (time: number, extra: object): string => JSON.stringify({ event: 'block', hash: 'ab'.repeat(32), height: 7, tx_count: 11, seen_txs: 8, seen: { peer: 'p', time }, ...extra });

  it('counts how each block came, what a rebuilt one lacked and how long it took, the share never announced, and reorg depths', async () => {
    const r = new Report();
    r.files.push('f');
    const lines = [
      block(1, { compact: { missing: 0, ms: 3 }, unseen_txs: 0 }),
      block(2, { compact: { missing: 4, ms: 120 }, unseen_txs: 4 }),
      block(3, { compact: false, unseen_txs: 10, stale: true }),
      // From before `compact` and `unseen_txs` existed: a block all the same.
      block(4, {}),
      JSON.stringify({ event: 'reorg', old_tip: 'a', new_tip: 'b', depth: 2, seen: { peer: 'p', time: 5 } }),
      // Bad shapes: no time, a reorg without its depth; a compact field of another shape counts the block only.
      JSON.stringify({ event: 'block', compact: false }),
      JSON.stringify({ event: 'reorg', seen: { peer: 'p', time: 6 } }),
      block(7, { compact: { missing: 'x' } }),
    ];
    lines.forEach((l, i) => r.line(l, 'f', i + 1));
    const b = r.blocks;
    expect([b.blocks, b.missing.total, b.whole, b.stale, b.reorgs]).toEqual([5, 2, 1, 1, 1]);
    expect(b.missing.rows()).toEqual([
      [0, 1],
      [5, 1],
    ]);
    expect([b.rebuildMs.quantile(0.5), b.rebuildMs.quantile(1)]).toEqual([3.15, 125]);
    // 0 of 10, 4 of 10, 10 of 10.
    expect(b.unseenPercent.rows()).toEqual([
      [0, 1],
      [50, 1],
      [100, 1],
    ]);
    expect(b.reorgDepths.rows()).toEqual([[2, 1]]);
    expect(Object.fromEntries(r.skipped)).toEqual({ 'bad shape': 2 });
    const html = await renderPage(r);
    expect(html).toContain('blocks: 5; rebuilt from a compact block: 2 (1 with transactions asked for); downloaded whole: 1; stale: 1');
    expect(html).toContain('reorgs: 1, the deepest ≤ 2 blocks');
  });

  it('crashes on no block or reorg line, whatever its fields hold, and counts each as a block, a reorg or a bad shape (property)', () => {
    const field = fc.oneof(fc.anything(), fc.constant(false), fc.record({ missing: fc.anything(), ms: fc.anything() }), fc.double(), fc.integer());
    const line = fc.record({ event: fc.constantFrom('block', 'reorg'), seen: fc.oneof(fc.anything(), fc.record({ time: fc.oneof(fc.double(), fc.anything()) })), compact: field, tx_count: field, unseen_txs: field, depth: field, stale: field }, { requiredKeys: ['event'] });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (ls) => {
        const r = new Report();
        ls.forEach((l, i) => r.line(JSON.stringify(l), 'f', i + 1));
        const b = r.blocks;
        expect(b.blocks + b.reorgs + (r.skipped.get('bad shape') ?? 0) + (r.skipped.get('not JSON') ?? 0)).toBe(r.lines);
        expect(b.missing.total + b.whole).toBeLessThanOrEqual(b.blocks);
        expect(b.unseenPercent.total).toBeLessThanOrEqual(b.blocks);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the page', () => {
  it('escapes what peers wrote (a user agent is hostile input)', async () => {
    const r = new Report();
    r.files.push('f');
    r.line(peer('ipv4', '/evil:1/<script>alert(1)</script><img src=x>', 1), 'f', 1);
    const html = await renderPage(r);
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;');
  });
});
