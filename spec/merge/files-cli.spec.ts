import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrawl } from '../support/crawl-process.js';
import { MB, MERGE_RSS_BOUND_BYTES, PEAK_RSS_ENV, peakRssOf } from '../support/memory.js';
import { MAX_VANTAGES } from '../../lib/merge/propagation.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const H = 'c'.repeat(64);
const tx = (txid: string, first: number, peers: number): string =>
  JSON.stringify({ event: 'tx', txid, seen: { peer: 'p', time: first + 0.5, first: { peer: 'q', time: first }, last: { peer: 'q', time: first }, peers } });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bitcrawl-merge-'));
  writeFileSync(join(dir, 'east.ndjson'), [tx(A, 100, 3), 'not json', JSON.stringify({ event: 'peer', state: 'up' }), tx(B, 200.5, 1)].join('\n') + '\n');
  writeFileSync(join(dir, 'west.ndjson'), [tx(A, 100.25, 2), JSON.stringify({ event: 'block', hash: H, seen: { peer: 'p', time: 300 } })].join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crawl merge FILE…', () => {
  it('one propagation line per transaction and block, each file a vantage', async () => {
    const r = await runCrawl(['merge', join(dir, 'east.ndjson'), join(dir, 'west.ndjson')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { event: 'propagation', kind: 'tx', txid: A, vantages: { east: { first: 100, peers: 3 }, west: { first: 100.25, peers: 2 } }, first_vantage: 'east', spread_ms: 250 },
      { event: 'propagation', kind: 'tx', txid: B, vantages: { east: { first: 200.5, peers: 1 } }, first_vantage: 'east', spread_ms: 0 },
      { event: 'propagation', kind: 'block', hash: H, vantages: { west: { first: 300 } }, first_vantage: 'west', spread_ms: 0 },
    ]);
    expect(r.stderr).toMatch(/not a JSON line, skipped .*line=2/);
    expect(r.stderr).toMatch(/2 transactions, 1 blocks merged/);
  });

  it('a missing file is named, the others merged, status 1', async () => {
    const r = await runCrawl(['merge', join(dir, 'nope.ndjson'), join(dir, 'west.ndjson')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.ndjson: no such file/);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  it.each([
    [['merge'], /needs --nats URL or NDJSON files/],
    [['merge', '--nats', 'nats://127.0.0.1:1', 'f.ndjson'], /either NDJSON files or --nats/],
    [['merge', '--nats', 'nats://127.0.0.1:1', '--window', '0'], /--window takes/],
    [['merge', '--nats', 'nats://127.0.0.1:1', '--since', 'yesterday'], /--since takes/],
    [['merge', '--nats', 'nats://127.0.0.1:1', '--durable', 'a.b'], /--durable takes/],
    [['merge', '--nats', 'http://127.0.0.1:1'], /--nats takes/],
    [['merge', '--nats', 'http://bitcrawl:s3cret@127.0.0.1:1'], /--nats takes .*not "http:\/\/\*\*\*@127\.0\.0\.1:1"/],
    [['--no-stdout', '-p', '127.0.0.1:1'], /--no-stdout needs --nats/],
    [['--nats', '127.0.0.1:1', '--vantage', 'a b', '-p', '127.0.0.1:1'], /--vantage takes/],
    [['--nats', '127.0.0.1:1', '--nats-buffer', '0', '-p', '127.0.0.1:1'], /--nats-buffer takes/],
    [['decode', '--nats', '127.0.0.1:1'], /--nats is not an option of crawl decode/],
  ])('%j → one line, status 2', async (args, message) => {
    const r = await runCrawl(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('crawl merge FILE… against hostile files', () => {
  it('a vantage named __proto__ (or constructor) is a vantage like any other', async () => {
    writeFileSync(join(dir, '__proto__.ndjson'), tx(A, 100, 1) + '\n');
    writeFileSync(join(dir, 'constructor.ndjson'), tx(A, 101, 1) + '\n');
    const r = await runCrawl(['merge', join(dir, '__proto__.ndjson'), join(dir, 'constructor.ndjson')]);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as { vantages: object; first_vantage: string };
    expect(Object.keys(line.vantages).sort()).toEqual(['__proto__', 'constructor']);
    expect(line.first_vantage).toBe('__proto__');
    expect(r.stdout).toContain('"__proto__":{"first":100,"peers":1}');
  });

  it('a 600 MB line is skipped as it is read (counted, logged once); the good lines of every file are merged', async () => {
    // A sparse file: a good line, 600 MB of zero bytes without a newline (past V8's longest string), a good line.
    const big = join(dir, 'big.ndjson');
    const head = tx(A, 100, 1) + '\n';
    writeFileSync(big, head);
    truncateSync(big, head.length + 600 * MB);
    appendFileSync(big, '\n' + tx(B, 200, 1) + '\n');
    const r = await runCrawl(['merge', big, join(dir, 'west.ndjson')], '', PEAK_RSS_ENV);
    expect(r.stderr).not.toMatch(/RangeError/);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { txid?: string; hash?: string; vantages: object });
    expect(lines.map((l) => l.txid ?? l.hash)).toEqual([A, B, H]);
    expect(Object.keys(lines[0].vantages).sort()).toEqual(['big', 'west']);
    expect(r.stderr.match(/a line over 4194304 bytes, skipped/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/line=2 bytes=629145600/);
    expect(r.stderr).toMatch(/2 transactions, 1 blocks merged; 0 late lines ignored; 1 lines over 4194304 bytes skipped/);
    expect(peakRssOf(r.stderr)).toBeLessThan(MERGE_RSS_BOUND_BYTES);
  }, 120_000);

  it('one txid from 400,000 vantages: MAX_VANTAGES of them in its line, the rest counted, memory bounded', async () => {
    const many = join(dir, 'many.ndjson');
    const n = 400_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(JSON.stringify({ event: 'tx', txid: A, vantage: `v${i}`, seen: { time: 1000 + i / 1000 } }));
    writeFileSync(many, lines.join('\n') + '\n');
    const r = await runCrawl(['merge', many], '', PEAK_RSS_ENV);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as { vantages: object; first_vantage: string };
    expect(Object.keys(line.vantages)).toHaveLength(MAX_VANTAGES);
    expect(line.first_vantage).toBe('v0');
    expect(r.stderr.match(/more than 1000 vantages/g)).toHaveLength(1);
    expect(r.stderr).toContain(`${n - MAX_VANTAGES} sightings beyond ${MAX_VANTAGES} vantages ignored`);
    expect(peakRssOf(r.stderr)).toBeLessThan(MERGE_RSS_BOUND_BYTES);
  }, 120_000);
});
