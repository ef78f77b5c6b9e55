/**
 * Block bytes: what real Bitcoin Core 31.1 nodes send a crawler to give it each new block, this
 * build against another (`BENCH_COMPARE_BIN`, say the build before compact blocks were asked for
 * in low-bandwidth mode), both crawling the same nodes at once. Loopback only.
 *
 *   BITCOIND=…/bitcoind BENCH_COMPARE_BIN=<other build>/dist/bin/crawl.js npm run bench:block-bytes [-- --blocks 12 --txs 60]
 *
 * Four regtest nodes in a full mesh, relaying at once (`-whitelist=noban@127.0.0.1`); a wallet on
 * the first. Each round the wallet sends `txs` transactions, both crawlers print them all, then
 * the next node in turn mines a block of them. A crawler asks at most three nodes for
 * high-bandwidth mode (the last to deliver a block first), so with four miners taking turns the
 * block's miner is often a low-bandwidth peer that announces it by headers. Counted for each
 * crawler, from Core's getpeerinfo (`bytessent_per_msg`, headers included): the `block`,
 * `cmpctblock` and `blocktxn` bytes all four nodes sent it for that block, and how its block line
 * says it came (`compact`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { connectCore, crawlerPeers, startCores, waitSameTip, type CoreNode, type CorePeerInfo } from '../spec/support/core.js';
import { until } from '../spec/support/harness.js';

const { values } = parseArgs({ options: { blocks: { type: 'string', default: '12' }, txs: { type: 'string', default: '60' } } });
const BLOCKS = Number(values.blocks);
const TXS = Number(values.txs);
const bitcoind = process.env.BITCOIND;
const compare = process.env.BENCH_COMPARE_BIN;
if (!bitcoind || !compare) {
  console.error('set BITCOIND to a Bitcoin Core 31.1 bitcoind and BENCH_COMPARE_BIN to another build\'s dist/bin/crawl.js');
  process.exit(2);
}
const THIS_BIN = fileURLToPath(new URL('../dist/bin/crawl.js', import.meta.url));
const MESSAGES = ['block', 'cmpctblock', 'blocktxn'] as const;

interface Crawler {
  readonly name: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Record<string, unknown>[];
  /** Each node's getpeerinfo id of this crawler's connection. */
  readonly ids: Map<CoreNode, number>;
}

const nodes = await startCores(Array.from({ length: 4 }, () => ({ bitcoind, args: ['-whitelist=noban@127.0.0.1'] })));
const crawlers: Crawler[] = [];
try {
  for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) await connectCore(nodes[i], nodes[j]);
  await nodes[0].rpc('createwallet', { wallet_name: 'w' });
  const wallet = nodes[0].wallet('w');
  const to = await wallet<string>('getnewaddress', ['', 'bech32']);
  await nodes[0].rpc('generatetoaddress', [110 + Math.ceil((BLOCKS * TXS) / 50), to]);
  await waitSameTip(nodes);

  // One crawler at a time, so that each node's new bitcrawl connection is that crawler's.
  for (const [name, bin] of [['before', compare], ['after', THIS_BIN]] as const) {
    const known = new Set<string>();
    for (const n of nodes) for (const p of await crawlerPeers(n)) known.add(`${n.p2p}/${p.id}`);
    const child = spawn(process.execPath, [bin, '--network', 'regtest', '--peers', nodes.map((n) => n.p2p).join(','), '--emit', 'tx,block'], { stdio: 'pipe' });
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
    child.stderr.resume();
    const ids = new Map<CoreNode, number>();
    await until(`${name} connected to every node`, 60_000, async () => {
      for (const n of nodes) {
        const mine = (await crawlerPeers(n)).find((p) => !known.has(`${n.p2p}/${p.id}`) && (p.bytesrecv_per_msg.sendheaders ?? 0) > 0);
        if (mine) ids.set(n, mine.id);
      }
      return ids.size === nodes.length ? true : undefined;
    });
    crawlers.push({ name, child, lines, ids });
  }

  const rounds: Record<string, { bytes: number; compact: unknown }[]> = { before: [], after: [] };
  let blockBytes = 0;
  for (let k = 0; k < BLOCKS; k++) {
    const txids: string[] = [];
    for (let t = 0; t < TXS; t++) txids.push(await wallet<string>('sendtoaddress', [to, 0.001]));
    for (const c of crawlers) await until(`${c.name} printed round ${k}'s transactions`, 60_000, async () => (txids.every((id) => c.lines.some((l) => l.txid === id)) ? true : undefined));
    const miner = nodes[k % nodes.length];
    await until(`round ${k}'s transactions at the miner`, 30_000, async () => ((await miner.rpc<string[]>('getrawmempool')).length >= TXS ? true : undefined));
    const before = await Promise.all(crawlers.map((c) => sentTo(c)));
    const [hash] = await miner.rpc<string[]>('generatetoaddress', [1, to]);
    for (const c of crawlers) await until(`${c.name}'s line of block ${k}`, 60_000, async () => (c.lines.some((l) => l.event === 'block' && l.hash === hash) ? true : undefined));
    await waitSameTip(nodes);
    blockBytes += (await miner.rpc<{ size: number }>('getblock', [hash, 1])).size;
    // The nodes' counters settle once every copy of the block has gone out (a high-bandwidth
    // peer's cmpctblock may follow the block line): read once they stay the same for 200 ms.
    await until('the counters settled', 10_000, async () => {
      const a = await Promise.all(crawlers.map((c) => sentTo(c)));
      await new Promise((r) => setTimeout(r, 200));
      const b = await Promise.all(crawlers.map((c) => sentTo(c)));
      return a.every((x, i) => x === b[i]) ? true : undefined;
    });
    const after = await Promise.all(crawlers.map((c) => sentTo(c)));
    crawlers.forEach((c, i) => rounds[c.name].push({ bytes: after[i] - before[i], compact: c.lines.find((l) => l.event === 'block' && l.hash === hash)?.compact }));
  }

  const summary = (name: string) => {
    const r = rounds[name];
    const total = r.reduce((a, x) => a + x.bytes, 0);
    return { bytes_per_block: Math.round(total / r.length), whole: r.filter((x) => x.compact === false).length, rebuilt: r.filter((x) => x.compact !== false).length };
  };
  const b = summary('before');
  const a = summary('after');
  console.log(JSON.stringify({ blocks: BLOCKS, txs_per_block: TXS, block_size: Math.round(blockBytes / BLOCKS), before: b, after: a, ratio: Number((b.bytes_per_block / a.bytes_per_block).toFixed(2)), rounds }));
} finally {
  for (const c of crawlers) c.child.kill();
  await Promise.all(nodes.map((n) => n.stop()));
}

/** The block, cmpctblock and blocktxn bytes every node has sent this crawler. */
async function sentTo(c: Crawler): Promise<number> {
  let sum = 0;
  for (const [n, id] of c.ids) {
    const p = (await n.rpc<CorePeerInfo[]>('getpeerinfo')).find((x) => x.id === id);
    for (const m of MESSAGES) sum += p?.bytessent_per_msg[m] ?? 0;
  }
  return sum;
}
