/**
 * Competing blocks against Bitcoin Core 31.1 on regtest: one `crawl` dialling two nodes; the nodes
 * are split, node A mines one block and node B two, then they are joined again. The crawler asked
 * both for announcements by headers (BIP 130 `sendheaders`, as Core counts the bytes it received),
 * prints every block of both branches once, and one `reorg` line that agrees with Core's
 * `getchaintips`. Runs when BITCOIND names a bitcoind binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCore, crawlerPeer, isolate, startCores, waitSameTip, type CoreNode, type CorePeerInfo } from '../support/core.js';
import { until } from '../support/harness.js';
import { CrawlProcess, type JsonLine } from '../support/crawl-process.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core-reorg.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

const LINE_MS = 60_000;
/** Blocks mined before the crawler starts: a recent tip, so that Core has left initial block download. */
const INITIAL_BLOCKS = 5;
/** A regtest address (BIP 431 pay-to-anchor): coinbases need one, the test needs no wallet. */
const MINE_TO = 'bcrt1pfeesnyr2tx';
/**
 * Another one (a witness v2 program) for node B: the same coinbase on the same parent in the same
 * second would make A's block and B's first block one and the same.
 */
const MINE_TO_B = 'bcrt1zqurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurszqtpkz';

interface ChainTip {
  readonly height: number;
  readonly hash: string;
  readonly branchlen: number;
  readonly status: string;
}

describe.skipIf(!BITCOIND)('competing blocks from two Bitcoin Core 31.1 regtest nodes mining apart', () => {
  let a: CoreNode;
  let b: CoreNode;
  let crawler: CrawlProcess;
  const blockLine = (hash: string) => (l: JsonLine) => l.event === 'block' && l.hash === hash;

  beforeAll(async () => {
    // -connect=0: no automatic outbound connections, which would join the nodes again behind the test's back.
    [a, b] = await startCores([
      { bitcoind: BITCOIND!, args: ['-connect=0'] },
      { bitcoind: BITCOIND!, args: ['-connect=0'] },
    ]);
    await connectCore(b, a);
    await a.rpc('generatetoaddress', [INITIAL_BLOCKS, MINE_TO]);
    await waitSameTip([a, b]);
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', `${a.p2p},${b.p2p}`, '--emit', 'peer,block,reorg']);
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('asks both nodes for announcements by headers once its headers caught up (BIP 130)', async () => {
    for (const node of [a, b]) await until(`sendheaders at ${node.p2p}`, LINE_MS, async () => ((await crawlerPeer(node))?.bytesrecv_per_msg.sendheaders ?? 0) > 0 || undefined);
  }, 2 * LINE_MS);

  it('prints both branches’ blocks once each and one reorg line, as getchaintips sees the split', async () => {
    // Split: A drops its connection from B (made with onetry, and -connect=0: nobody redials it).
    await isolate(a);

    const before = (await crawlerPeer(a)) as CorePeerInfo;
    const [a1] = await a.rpc<string[]>('generatetoaddress', [1, MINE_TO]);
    const a1Line = await crawler.waitLine(blockLine(a1), 'A’s block', LINE_MS);
    expect(a1Line).toMatchObject({ height: INITIAL_BLOCKS + 1 });
    expect(a1Line.stale).toBeUndefined();
    // Announced by headers: A sent headers, and the crawler sent no getheaders that they could answer.
    const after = (await crawlerPeer(a)) as CorePeerInfo;
    expect(after.bytessent_per_msg.headers).toBeGreaterThan(before.bytessent_per_msg.headers ?? 0);
    expect(after.bytesrecv_per_msg.getheaders ?? 0).toBe(before.bytesrecv_per_msg.getheaders ?? 0);

    const [b1, b2] = await b.rpc<string[]>('generatetoaddress', [2, MINE_TO_B]);
    const reorg = await crawler.waitLine((l) => l.event === 'reorg', 'the reorg line', LINE_MS);
    await crawler.waitLine(blockLine(b1), 'B’s first block', LINE_MS);
    const b2Line = await crawler.waitLine(blockLine(b2), 'B’s second block', LINE_MS);
    expect(b2Line.stale).toBeUndefined();
    const base = await a.rpc<string>('getblockhash', [INITIAL_BLOCKS]);
    expect(reorg).toMatchObject({ old_tip: a1, old_height: INITIAL_BLOCKS + 1, new_tip: b2, new_height: INITIAL_BLOCKS + 2, fork: base, fork_height: INITIAL_BLOCKS, depth: 1 });

    // Joined again: A reorganizes to B's chain; getchaintips keeps A's block as a fork of branchlen = our depth.
    await connectCore(b, a);
    await waitSameTip([a, b]);
    const tips = await a.rpc<ChainTip[]>('getchaintips');
    expect(tips.find((t) => t.status === 'active')).toMatchObject({ hash: b2, branchlen: 0 });
    expect(tips.find((t) => t.hash === a1)).toMatchObject({ status: 'valid-fork', branchlen: reorg.depth });

    // One more block after the join: once it is printed, every earlier announcement has been handled.
    const [c] = await a.rpc<string[]>('generatetoaddress', [1, MINE_TO]);
    await crawler.waitLine(blockLine(c), 'the block after the join', LINE_MS);
    for (const h of [a1, b1, b2, c]) expect(crawler.lines.all.filter(blockLine(h)), h).toHaveLength(1);
    expect(crawler.lines.all.filter((l) => l.event === 'reorg')).toHaveLength(1);
  }, 4 * LINE_MS);
});
