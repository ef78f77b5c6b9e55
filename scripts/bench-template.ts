/**
 * What a `--mempool-stats` line costs at a mainnet-sized view: the feerate histogram and the next
 * block's lowest package feerate (lib/mempool/template.ts, Core's BlockAssembler), computed from
 * the view each time a line is printed, while the crawler's event loop waits.
 *
 *   npm run bench:template -- (= node --import tsx scripts/bench-template.ts)
 *   node --import tsx scripts/bench-template.ts [--txs 300000] [--chained 30] [--rounds 5]
 *
 * The view: `txs` transactions of 2 inputs and 2 P2WPKH outputs (141 vB), every fee known, as with
 * --rpc: `chained` percent spend both outputs of a transaction 51 arrivals earlier (chains of up to
 * three, so their packages are what a block takes), the others two confirmed outputs the view was
 * told of (MempoolView.learnOutput, as --rpc's answers are). Feerates 1–101 sat/vB. Reported:
 * median and minimum ms of `rounds` histograms and templates, the candidates (fees known), the
 * lowest feerate the block takes; and the projected blocks (projected.ts: the next 8 blocks, one
 * after another), what a stats line computes: their time, and per block [transactions, kvB,
 * median feerate].
 */
import { parseArgs } from 'node:util';
import { MempoolView } from '../lib/mempool/view.js';
import { feerateHistogram, nextBlockMinFeerate } from '../lib/mempool/template.js';
import { projectedBlocks } from '../lib/mempool/projected.js';
import type { DecodedTx } from '../lib/wire/model.js';

const { values: opts } = parseArgs({ options: { txs: { type: 'string', default: '300000' }, chained: { type: 'string', default: '30' }, rounds: { type: 'string', default: '5' } } });
const TXS = Number(opts.txs);
const CHAINED = Number(opts.chained);
const ROUNDS = Number(opts.rounds);

/** 32 bytes determined by (i, salt < 16), spread like a hash (splitmix32); distinct for distinct pairs (its first word is a bijection of i × 16 + salt). */
function id(i: number, salt: number): Uint8Array {
  const b = new Uint8Array(32);
  let x = Math.imul(i * 16 + salt, 0x9e3779b9) >>> 0;
  for (let k = 0; k < 32; k += 4) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    z = (z ^ (z >>> 15)) >>> 0;
    for (let j = 0; j < 4; j++) b[k + j] = z >>> (8 * j);
  }
  return b;
}

const SCRIPT = Uint8Array.of(0, 20, ...new Array<number>(20).fill(7));
const FUNDING = 1_000_000;
const view = new MempoolView();
const txids: Uint8Array[] = [];
const outs: number[] = [];
for (let i = 0; i < TXS; i++) {
  // A chained one's parent (51 earlier) is chained itself only for i % 100 < 2 × CHAINED / 3: chains of at most three.
  const chained = i >= 51 && i % 100 < CHAINED;
  const inputs = [0, 1].map((vout) => {
    const prevTxid = chained ? txids[i - 51] : id(i, 10 + vout);
    if (!chained) view.learnOutput(prevTxid, vout, { value: FUNDING, script: '0014' + '07'.repeat(20) });
    return { prevTxid, prevIndex: vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] as Uint8Array[] };
  });
  const inValue = chained ? 2 * outs[i - 51] : 2 * FUNDING;
  const fee = Math.round(141 * (1 + ((i * 7919) % 1000) / 10));
  const each = Math.floor((inValue - fee) / 2);
  const txid = id(i, 0);
  txids.push(txid);
  outs.push(each);
  const tx: DecodedTx = {
    version: 2,
    inputs,
    outputs: [
      { value: BigInt(each), script: SCRIPT },
      { value: BigInt(each), script: SCRIPT },
    ],
    locktime: 0,
    raw: new Uint8Array(0),
    segwit: true,
    txid,
    wtxid: txid,
    size: 222,
    weight: 561,
    vsize: 141,
  };
  view.add(tx, i);
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
const histogramMs: number[] = [];
const templateMs: number[] = [];
const projectedMs: number[] = [];
let lowest: number | undefined;
let projected: ReturnType<typeof projectedBlocks>;
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now();
  feerateHistogram(view.store);
  histogramMs.push(performance.now() - t);
  t = performance.now();
  lowest = nextBlockMinFeerate(view.store);
  templateMs.push(performance.now() - t);
  t = performance.now();
  projected = projectedBlocks(view.store);
  projectedMs.push(performance.now() - t);
}
// What a stats line computes: the histogram and the projected blocks (the first is the next block).
if (projected?.[0]?.feerateRange[0] !== lowest) throw new Error('the first projected block is not the next block');
console.log(
  JSON.stringify({
    view: view.size,
    known_fee: view.known.count,
    histogram_ms: +median(histogramMs).toFixed(1),
    histogram_ms_min: +Math.min(...histogramMs).toFixed(1),
    template_ms: +median(templateMs).toFixed(1),
    template_ms_min: +Math.min(...templateMs).toFixed(1),
    projected_ms: +median(projectedMs).toFixed(1),
    projected_ms_min: +Math.min(...projectedMs).toFixed(1),
    next_block_feerate: lowest === undefined ? undefined : +lowest.toFixed(3),
    projected_blocks: projected?.map((b) => [b.count, Math.round(b.vsize / 1000), +b.medianFeerate.toFixed(1)]),
  }),
);
