/**
 * `crawl decode` (the built command) given what is not one raw transaction: a stdin line of more
 * than 512 MB (past V8's longest string), a block's hex, a header's hex.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MAX_DECODE_LINE_BYTES, MAX_TX_HEX_CHARS } from '../../lib/cli/decode.js';
import { CRAWL_BIN, runCrawl } from '../support/crawl-process.js';
import { MB } from '../support/memory.js';
import { TX_VECTORS } from '../support/txs.js';
import { readVectors, type BlockVector } from '../support/vectors.js';

const BLOCKS = readVectors<BlockVector>('blocks.ndjson');

/** The peak resident memory of a live process (Linux /proc VmHWM). */
function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(kb?.[1]) * 1024;
}

/** A bound on the decoder's peak memory while it skips a huge line: a few of MAX_DECODE_LINE_BYTES. */
const LONG_LINE_RSS_BOUND = 200 * MB;

describe('crawl decode, a stdin line longer than any transaction', () => {
  it('of 540 MB (past the longest string V8 makes): one line on stderr naming it, the next line still decoded, exit 1, memory bounded, no stack trace', async () => {
    const child = spawn(process.execPath, [CRAWL_BIN, 'decode'], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const good = TX_VECTORS[0].hex;
    const write = (b: Buffer | string): Promise<void> =>
      new Promise((resolve, reject) => child.stdin.write(b, (err) => (err ? reject(err) : resolve())));
    await write(`${good}\n`);
    const chunk = Buffer.alloc(4 * MB, 'a');
    for (let sent = 0; sent < 540 * MB; sent += chunk.length) await write(chunk);
    await write(`\n${good}\n`);
    const peak = peakRss(child.pid as number);
    child.stdin.end();
    expect(await closed).toBe(1);
    expect(stderr).toBe(`crawl decode: line 2: longer than ${MAX_DECODE_LINE_BYTES} bytes (a raw transaction's hex has at most ${MAX_TX_HEX_CHARS} digits): skipped\n`);
    expect(stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { txid: string }).txid)).toEqual([TX_VECTORS[0].txid, TX_VECTORS[0].txid]);
    expect(peak).toBeLessThan(LONG_LINE_RSS_BOUND);
  }, 120_000);

  it('at the bound, a line is read and judged as hex; one byte past it, refused unread', async () => {
    const atBound = 'ab'.repeat(MAX_TX_HEX_CHARS / 2) + ' '.repeat(MAX_DECODE_LINE_BYTES - MAX_TX_HEX_CHARS);
    const r = await runCrawl(['decode'], `${atBound}\n${atBound} \n`);
    expect(r.code).toBe(1);
    const [first, second] = r.stderr.trimEnd().split('\n');
    expect(first).toMatch(/^crawl decode: line 1: /);
    expect(first).not.toMatch(/longer than/);
    expect(second).toMatch(/^crawl decode: line 2: longer than/);
  }, 60_000);
});

describe('crawl decode, a block where a transaction was expected', () => {
  it('says it is a block, with its hash and transaction count, for every block of the vectors', async () => {
    const blocks = BLOCKS.filter((b) => b.hex.length < 100_000);
    const r = await runCrawl(['decode'], blocks.map((b) => b.hex).join('\n'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual(blocks.map((b, i) => `crawl decode: line ${i + 1}: this is a block (${b.hash}, ${b.txCount} transactions), not a transaction`));
  });

  it('says so for a header alone, and for a block cut short', async () => {
    const b = BLOCKS.find((x) => x.txCount > 1) as (typeof BLOCKS)[number];
    const r = await runCrawl(['decode', b.hex.slice(0, 160), b.hex.slice(0, 400)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `crawl decode: argument 1: this is a block header (block ${b.hash}), not a transaction`,
      expect.stringMatching(new RegExp(`^crawl decode: argument 2: this looks like a block \\(its first 80 bytes are a header: block ${b.hash}\\), but it does not decode as one either: `)),
    ]);
  });

  it('still names a broken transaction as one (no vector transaction, cut short, passes for a block)', async () => {
    const cut = TX_VECTORS.filter((v) => v.hex.length > 200).map((v) => v.hex.slice(0, v.hex.length - 2));
    const r = await runCrawl(['decode'], cut.join('\n'));
    expect(r.stderr).not.toMatch(/block/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(cut.length);
  });
});
