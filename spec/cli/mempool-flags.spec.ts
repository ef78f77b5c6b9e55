/** --emit's mempool kinds, --mempool-stats and --rpc's flags, as crawlOptions reads them (no sockets). */
import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../lib/cli/parse.js';
import { crawlOptions } from '../../lib/cli/crawl.js';
import { UsageError } from '../../lib/crawler/options.js';
import type { Io } from '../../lib/output/io.js';

const io = { stderr: { isTTY: false } } as unknown as Io;
const options = (...argv: string[]) => crawlOptions(parseArgs(['--peers', '127.0.0.1', ...argv], {}), io);

describe('mempool flags', () => {
  it('--mempool-stats S sets the interval and asks for mempool lines; --emit mempool alone takes 60 s; neither, none', () => {
    expect(options('--mempool-stats', '2')).toMatchObject({ mempoolStatsMs: 2_000 });
    expect(options('--mempool-stats', '2').emit.has('mempool')).toBe(true);
    expect(options('--emit', 'tx,mempool')).toMatchObject({ mempoolStatsMs: 60_000 });
    expect(options()).toMatchObject({ mempoolStatsMs: 0 });
    expect([...options('--emit', 'replaced,confirmed,evicted,unseen').emit]).toEqual(['replaced', 'confirmed', 'evicted', 'unseen']);
  });

  it('--rpc takes credentials from its URL or from --rpc-cookie, never shows them again; without credentials, or a cookie alone, is a usage error', () => {
    const withUrl = options('--rpc', 'http://alice:s%40cret@127.0.0.1:8332/');
    expect(withUrl.rpc).toEqual({ url: 'http://127.0.0.1:8332/', authorization: `Basic ${Buffer.from('alice:s@cret').toString('base64')}` });
    expect(withUrl.rpcTimeoutMs).toBe(5_000);
    const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-cookie-'));
    try {
      writeFileSync(join(dir, '.cookie'), '__cookie__:abc\n');
      expect(options('--rpc', 'http://127.0.0.1:18443/', '--rpc-cookie', join(dir, '.cookie'), '--rpc-timeout', '0.5')).toMatchObject({
        rpc: { authorization: `Basic ${Buffer.from('__cookie__:abc').toString('base64')}` },
        rpcTimeoutMs: 500,
      });
      expect(() => options('--rpc', 'http://127.0.0.1:18443/', '--rpc-cookie', join(dir, 'missing'))).toThrow(/--rpc-cookie .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => options('--rpc', 'http://127.0.0.1:8332/')).toThrow(UsageError);
    expect(() => options('--rpc-cookie', 'x')).toThrow(/--rpc-cookie needs --rpc/);
    expect(() => options('--rpc', 'https://u:p@127.0.0.1/')).toThrow(/http:\/\//);
  });
});
