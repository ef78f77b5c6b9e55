/**
 * The README's way to run the command from the checkout, `npx -- crawl …` and `npm exec -- crawl
 * …`, run as written: npm must hand every flag to crawl (`--version`, `-n`, `--network`).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { coreHandshake, scriptedPeer } from '../support/scripted-peer.js';
import { TX_VECTORS } from '../support/txs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(`${ROOT}/README.md`, 'utf8');
const VERSION = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;
const run = promisify(execFile);

/** Runs a README command line through the shell, in the checkout. */
const sh = (command: string) => run('bash', ['-c', command], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('npx -- crawl, as the README writes it', () => {
  it('the README gives these forms', () => {
    expect(README).toContain('`npx -- crawl …`');
    expect(README).toContain('`npm exec -- crawl …`');
    expect(README).toContain('`npx -- crawl --network regtest --peers 127.0.0.1:18444`');
  });

  it('passes --version and -n to crawl, not to npm', async () => {
    expect((await sh('npx -- crawl --version')).stdout.trim()).toBe(VERSION);
    const hex = TX_VECTORS[0].hex;
    const decoded = await sh(`npm exec -- crawl -n regtest decode ${hex}`);
    expect((JSON.parse(decoded.stdout) as { txid: string }).txid).toBe(TX_VECTORS[0].txid);
  }, 120_000);

  it('crawls a regtest node with the README’s example line (port changed, --no-reconnect to end)', async () => {
    const peer = await scriptedPeer(async (c) => {
      await coreHandshake(c);
      c.close();
    });
    try {
      const line = /`(npx -- crawl --network regtest --peers 127\.0\.0\.1:18444)`/.exec(README)?.[1] as string;
      const r = await sh(`${line.replace(':18444', `:${peer.port}`)} --no-reconnect`);
      expect(r.stderr).toMatch(/peer connected/);
    } finally {
      await peer.close();
    }
  }, 120_000);
});
