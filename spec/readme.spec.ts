/**
 * The README's jq cookbook, run as written: each `crawl | jq …` line is run on the output of a
 * real crawl (a scripted peer serving the shared vectors' transactions) instead of live mainnet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toReversedHex } from '../lib/wire/hex.js';
import { CrawlProcess } from './support/crawl-process.js';
import { scriptedPeer, servingPeer, type ScriptedPeer } from './support/scripted-peer.js';
import { typicalTxs } from './support/txs.js';

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const cookbook = README.slice(README.indexOf('## jq cookbook'), README.indexOf('## Exit statuses'));
const commands = cookbook.split('\n').filter((l) => l.startsWith('crawl | '));

let dir: string;
let output: string;
let peer: ScriptedPeer;

beforeAll(async () => {
  const byTxid = new Map(typicalTxs().map((t) => [toReversedHex(t.txid), t]));
  const txs = [...byTxid.values()];
  peer = await scriptedPeer(servingPeer(txs).script);
  // Every line kind in the stream, as with --emit: the cookbook's filters must pick the tx lines.
  const c = new CrawlProcess(['--network', 'regtest', '--emit', 'tx,peer,block,addr', '--peers', `127.0.0.1:${peer.port}`]);
  for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
  await c.stop();
  dir = mkdtempSync(join(tmpdir(), 'bitcrawl-readme-'));
  output = join(dir, 'crawl.ndjson');
  // Mainnet addresses, as the cookbook's address example is a mainnet one: re-render each line's
  // transaction for mainnet with `crawl decode --raw`, keeping the crawl's `seen`.
  const lines = c.txLines();
  const mainnet = execFileSync(process.execPath, [fileURLToPath(new URL('../dist/bin/crawl.js', import.meta.url)), 'decode', '--network', 'mainnet'], {
    input: lines.map((l) => byTxid.get(String(l.txid))!.raw).map((r) => Buffer.from(r).toString('hex')).join('\n'),
    encoding: 'utf8',
  })
    .trimEnd()
    .split('\n')
    .map((l, i) => JSON.stringify({ ...JSON.parse(l), seen: lines[i].seen }));
  const others = c.lines.all.filter((l) => l.event !== 'tx').map((l) => JSON.stringify(l));
  expect(others.length).toBeGreaterThan(0);
  writeFileSync(output, [...others, ...mainnet, ...others].join('\n') + '\n');
}, 60_000);

afterAll(async () => {
  await peer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('README jq cookbook', () => {
  it('has the commands the README promises', () => {
    expect(commands.length).toBeGreaterThanOrEqual(6);
  });

  it.each(commands)('%s', (command) => {
    const out = execFileSync('bash', ['-o', 'pipefail', '-c', command.replace(/^crawl \| /, `cat ${output} | `)], { encoding: 'utf8' });
    expect(out.trim().split('\n').filter(Boolean).length).toBeGreaterThan(0);
  });
});
