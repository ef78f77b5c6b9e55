/**
 * Mempool view benchmark: lib/mempool/view.ts fed a mainnet-shaped day in virtual time, pure (no
 * sockets), deterministic.
 *
 *   npm run bench:mempool -- (= node --expose-gc --import tsx scripts/bench-mempool.ts)
 *   node --expose-gc --import tsx scripts/bench-mempool.ts [--fill 300000] [--day 500000] [--hot] [--control]
 *
 * Traffic: `day` transactions over 24 virtual hours (500,000 ≈ a busy mainnet day), 2 inputs and 2
 * P2WPKH outputs each; 30% spend both outputs of a transaction 51 arrivals earlier (a chain: their
 * fee is known), the rest outputs the view never saw; 2% are replaced by a
 * transaction spending the same inputs 100 arrivals later. First `fill` transactions arrive with no
 * block (the view grows to a 300,000-transaction peak); then a block every 10 virtual minutes
 * confirms as many of the oldest as arrived since the last one (a replaced one is left out, so its
 * replacement stays or is confirmed later).
 *
 * Transactions are built before each timed batch (1,000 at a time): the timed part is add() and
 * confirm() only. Before each timed part the garbage so far (the script's traffic objects) is
 * collected, outside the timer; the GC runs on the main thread only (--single-threaded-gc, the
 * script re-runs itself under it), because process.cpuUsage() counts every thread and V8's helper
 * threads would otherwise sweep inside a timed part what the script's collections found dead.
 * A GC inside a timed part is then one the view's own allocations caused: reported
 * (gcs_timed, gc_ns_per_tx_timed). Reported: CPU and wall ns per transaction (adds and blocks
 * together, divided by transactions; the CPU also split into the fill and the day, and its system
 * part with the page faults behind it), ns per add, ms per block; what the view holds (JS heap +
 * typed arrays) at `fill` transactions after a full GC (its own estimate beside it), and at the
 * end (with the recent blocks' outputs: kept transactions' and the ring's). Then, apart from those
 * figures, a reorg of the last block: its transactions given back (MempoolView.unconfirm) and
 * confirmed again, in ms.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { MempoolView } from '../lib/mempool/view.js';
import type { DecodedTx } from '../lib/wire/model.js';

// The GC on this thread only: process.cpuUsage() counts every thread, and V8's helper threads
// would otherwise sweep, during a timed part, what the script's own collections (below) found
// dead. Re-run under the flag if it was not given.
if (!process.execArgv.includes('--single-threaded-gc')) {
  const r = spawnSync(process.execPath, ['--single-threaded-gc', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const { values: opts } = parseArgs({ options: { fill: { type: 'string', default: '300000' }, day: { type: 'string', default: '500000' }, hot: { type: 'boolean', default: false }, control: { type: 'boolean', default: false } } });
/** --control: the same run without the view's work (no add, confirm or reorg): what the traffic and the collections cost, for counts taken of the whole process (valgrind, BENCHMARKS.md). */
const CONTROL = opts.control;
const FILL = Number(opts.fill);
const DAY = Number(opts.day);
const STEP_MS = 86_400_000 / DAY;
const BLOCK_EVERY = Math.round(600_000 / STEP_MS);
const gc = (globalThis as { gc?: (o?: { type: 'minor' }) => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

/** `n` (≤ 32) bytes determined by (i, salt) at `dst[at..]`, spread like a hash (splitmix32): cheap, so that building the traffic costs little beside the view. */
function idInto(i: number, salt: number, dst: Uint8Array, at: number, n = 32): void {
  let x = (Math.imul(i, 0x9e3779b9) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  for (let k = 0; k < n; k += 4) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    z = (z ^ (z >>> 15)) >>> 0;
    for (let b = 0; b < 4 && k + b < n; b++) dst[at + k + b] = z >>> (8 * b);
  }
}
const replaced = (i: number): boolean => i % 50 === 7;

/**
 * Transaction i (or, with `replacement`, the one that replaces it 100 arrivals later), shaped as
 * lib/wire/transaction.ts decodes one: its outpoints' txids and its scripts are subarrays of one
 * buffer (the decoder's Reader hands out subarrays of the message), its txid a 32-byte array of its
 * own (sha256d's). Not five separately allocated arrays: their scattered backing stores made the
 * view's first read of each a cache miss the crawler's transactions do not cost.
 */
function tx(i: number, replacement = false): DecodedTx {
  const chained = i % 10 < 3 && i >= 51;
  const raw = new Uint8Array(222);
  // The parent, 51 arrivals earlier, is chained itself only if i % 10 is 1 or 2: chains of at most three.
  // A chained one spends both outputs of its parent.
  idInto(chained ? i - 51 : i, chained ? 0 : 1, raw, 5);
  idInto(chained ? i - 51 : i, chained ? 0 : 2, raw, 46);
  const inputs = [
    { prevTxid: raw.subarray(5, 37), prevIndex: 0, scriptSig: raw.subarray(41, 41), sequence: 0xfffffffd, witness: [] as Uint8Array[] },
    { prevTxid: raw.subarray(46, 78), prevIndex: chained ? 1 : 0, scriptSig: raw.subarray(82, 82), sequence: 0xfffffffd, witness: [] as Uint8Array[] },
  ];
  // P2WPKH scripts (OP_0, 20 bytes); output 0 is 10 sat less each arrival, output 1 always 100,000,
  // so a chained one's fee is 510 sat (710 for a replacement).
  for (const [j, at] of [[0, 96], [1, 127]]) {
    raw[at + 1] = 20;
    idInto(i, 10 + j, raw, at + 2, 20);
  }
  const outputs = [
    { value: BigInt(1e9 - i * 10 - 500 - (replacement ? 200 : 0)), script: raw.subarray(96, 118) },
    { value: 100_000n, script: raw.subarray(127, 149) },
  ];
  const txid = new Uint8Array(32);
  idInto(i, replacement ? 3 : 0, txid, 0);
  return { version: 2, inputs, outputs, locktime: 0, raw, segwit: true, txid, wtxid: txid, size: 222, weight: 561, vsize: 141 };
}

/**
 * --hot: the view's work with everything in the caches, for comparison with the day above: the
 * same 64 transactions (unchained) added 8 at a time and confirmed by a block of those 8, 200,000
 * times, through a view of at most 8. The confirmed ones kept for their outputs are bounded at 64
 * outputs (32 transactions), fewer than come between a transaction's turns: a kept one relayed
 * again is not taken back (view.ts add()), so with a larger bound every add after the first
 * rounds would only find it kept. Wall ns an add and a confirmed transaction.
 */
if (opts.hot) {
  const hot = new MempoolView(undefined, 0, 64);
  const pool = Array.from({ length: 64 }, (_, i) => tx(i * 10 + 5));
  const coinbase = tx(1e9);
  const rounds = 200_000;
  let adds = 0n;
  let confirms = 0n;
  let taken = 0;
  for (let r = 0; r < rounds; r++) {
    const k = (r % 8) * 8;
    let t = process.hrtime.bigint();
    for (let j = 0; j < 8; j++) if (hot.add(pool[k + j], r) !== undefined) taken++;
    adds += process.hrtime.bigint() - t;
    const block = [coinbase, ...pool.slice(k, k + 8)];
    t = process.hrtime.bigint();
    hot.confirm(block);
    confirms += process.hrtime.bigint() - t;
  }
  // Every add took its transaction in (a kept one found again would have returned undefined).
  if (hot.size !== 0 || taken !== rounds * 8) throw new Error(`--hot: ${taken} of ${rounds * 8} adds took their transaction, ${hot.size} left in the view`);
  console.log(JSON.stringify({ hot: true, ns_per_add: Math.round(Number(adds) / (rounds * 8)), ns_per_confirmed_tx: Math.round(Number(confirms) / (rounds * 8)), view: hot.size }));
  process.exit(0);
}

let addNs = 0n;
let blockNs = 0n;
/** The arrivals the last block confirmed (a reorg of it is timed at the end; its transactions are made again then, so that the end's memory figure does not count them). */
let lastBlock: number[] = [];
let blocks = 0;
/** CPU time (user + system, µs) beside the wall time: on a loaded machine the wall time counts other processes' turns. */
let addCpuUs = 0;
let blockCpuUs = 0;
/** Of it, system time (µs): mostly page faults, a fresh page's first touch. */
let sysUs = 0;
let fillSysUs = 0;
/** Page faults in the timed parts (a fresh page's first touch each), and at the end of the fill. */
let faults = 0;
let fillFaults = 0;
let faultsAt = 0;
const cpuUs = (since: NodeJS.CpuUsage): number => {
  faults += process.resourceUsage().minorPageFault - faultsAt;
  const d = process.cpuUsage(since);
  sysUs += d.system;
  return d.user + d.system;
};
let arrivals = 0;
let fillHeapMb = 0;
/** CPU of the adds up to `fill` (the view growing: its arena and indexes grow, nothing leaves). */
let fillCpuUs = 0;
let fillEstimateMb = 0;
/** Indices in arrival order, not yet confirmed. */
const queue: number[] = [];
let head = 0;
/** The JS heap and the typed arrays' backing stores (outside the heap), after a full GC. */
const heapMb = (): number => {
  // Twice: a typed array's backing store is let go by the sweep after the GC that found it dead.
  gc();
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1e6;
};
const baseMb = heapMb();
// Made after the baseline: what its constructor allocates (the slots for its bound) is counted.
const view = new MempoolView();
/**
 * Before each timed part, this script's garbage (the traffic objects of the batches before, and
 * the view's results, which the crawler drops as soon too) is collected outside the timer: a
 * scavenge each time, a full GC every 10 batches (what the scavenges promoted). So a GC inside a
 * timed part is one the view's own allocations triggered; `gc_ns_per_tx_timed` reports it.
 */
const collect = (start: number): void => (start % 10_000 === 0 ? gc() : gc({ type: 'minor' }));
/** The timed windows (performance.now() start, end, …) and the GC pauses seen: the GC time that fell inside them. */
const timed: number[] = [];
const gcs: number[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push(e.startTime, e.startTime + e.duration);
});
gcObserver.observe({ entryTypes: ['gc'] });

for (let start = 0; start < FILL + DAY; start += 1000) {
  const batch: DecodedTx[] = [];
  const times: number[] = [];
  for (let i = start; i < Math.min(start + 1000, FILL + DAY); i++) {
    batch.push(tx(i));
    times.push(i * STEP_MS);
    if (i >= 100 && replaced(i - 100)) {
      batch.push(tx(i - 100, true));
      times.push(i * STEP_MS);
    }
  }
  collect(start);
  faultsAt = process.resourceUsage().minorPageFault;
  let t = process.hrtime.bigint();
  let c = process.cpuUsage();
  let w = performance.now();
  if (!CONTROL) for (let k = 0; k < batch.length; k++) view.add(batch[k], times[k]);
  addNs += process.hrtime.bigint() - t;
  addCpuUs += cpuUs(c);
  timed.push(w, performance.now());
  for (let i = start; i < start + 1000; i++) queue.push(i);
  arrivals += batch.length;
  if (start + 1000 === FILL) {
    batch.length = 0;
    fillCpuUs = addCpuUs;
    fillSysUs = sysUs;
    fillFaults = faults;
    fillHeapMb = heapMb() - baseMb;
    fillEstimateMb = view.bytes / 1e6;
    console.log(`at ${view.size} transactions: heap ${fillHeapMb.toFixed(1)} MB (${((fillHeapMb * 1e6) / view.size).toFixed(0)} B each), estimate ${fillEstimateMb.toFixed(1)} MB`);
  }
  while (start + 1000 > FILL && blocks < Math.floor((start + 1000 - FILL) / BLOCK_EVERY)) {
    const txs: DecodedTx[] = [tx(1e9)];
    const arrived: number[] = [];
    // A block holds what arrived in its 10 minutes (replacements included, in the 2% left out).
    while (txs.length <= BLOCK_EVERY * 1.02 && head < queue.length) {
      const i = queue[head++];
      if (!replaced(i)) {
        txs.push(tx(i));
        arrived.push(i);
      }
    }
    collect(start);
    faultsAt = process.resourceUsage().minorPageFault;
    t = process.hrtime.bigint();
    c = process.cpuUsage();
    w = performance.now();
    if (!CONTROL) view.confirm(txs);
    lastBlock = arrived;
    blockNs += process.hrtime.bigint() - t;
    blockCpuUs += cpuUs(c);
    timed.push(w, performance.now());
    blocks++;
  }
}
const endMb = heapMb() - baseMb;
// A reorg of the last block, not in the figures above: its transactions given back (unconfirm), then confirmed again.
const reorged = [tx(1e9), ...lastBlock.map((i) => tx(i))];
gc();
let t = process.hrtime.bigint();
const back = CONTROL ? { returned: lastBlock.length } : view.unconfirm(reorged, (FILL + DAY) * STEP_MS);
const unconfirmMs = Number(process.hrtime.bigint() - t) / 1e6;
t = process.hrtime.bigint();
if (!CONTROL) view.confirm(reorged);
const reconfirmMs = Number(process.hrtime.bigint() - t) / 1e6;
if (back.returned !== lastBlock.length) throw new Error(`unconfirm gave back ${back.returned} of ${lastBlock.length}`);
await new Promise((r) => setTimeout(r, 100));
gcObserver.disconnect();
let gcMs = 0;
let gcTimed = 0;
for (let i = 0, j = 0; i < gcs.length; i += 2) {
  while (j < timed.length && timed[j + 1] < gcs[i]) j += 2;
  const overlap = j < timed.length ? Math.min(gcs[i + 1], timed[j + 1]) - Math.max(gcs[i], timed[j]) : 0;
  if (overlap > 0) {
    gcMs += overlap;
    gcTimed++;
  }
}
const perTx = Number(addNs + blockNs) / arrivals;
console.log(
  JSON.stringify({
    arrivals,
    blocks,
    view: view.size,
    ns_per_tx: Math.round(perTx),
    cpu_ns_per_tx: Math.round(((addCpuUs + blockCpuUs) * 1000) / arrivals),
    cpu_ns_per_tx_fill: Math.round((fillCpuUs * 1000) / FILL),
    cpu_ns_per_tx_day: Math.round(((addCpuUs + blockCpuUs - fillCpuUs) * 1000) / (arrivals - FILL)),
    sys_ns_per_tx_fill: Math.round((fillSysUs * 1000) / FILL),
    sys_ns_per_tx_day: Math.round(((sysUs - fillSysUs) * 1000) / (arrivals - FILL)),
    faults_fill: fillFaults,
    faults_day: faults - fillFaults,
    add_cpu_ns_per_tx_day: Math.round(((addCpuUs - fillCpuUs) * 1000) / (arrivals - FILL)),
    gcs: gcs.length / 2,
    gcs_timed: gcTimed,
    gc_ns_per_tx_timed: Math.round((gcMs * 1e6) / arrivals),
    ns_per_add: Math.round(Number(addNs) / arrivals),
    ms_per_block: +(Number(blockNs) / 1e6 / Math.max(1, blocks)).toFixed(2),
    heap_mb_at_fill: +fillHeapMb.toFixed(1),
    estimate_mb_at_fill: +fillEstimateMb.toFixed(1),
    heap_mb_end: +endMb.toFixed(1),
    // Recent blocks' outputs the view knows: those of transactions it held (kept in their slots) and the others' (copied).
    confirmed_outputs: view.prevouts.ring.size + view.store.kept.outputs,
    known_fee: view.known.count,
    // The last block left the chain and came again: ms to give its transactions back, to confirm them again.
    reorg_txs: lastBlock.length,
    ms_unconfirm: +unconfirmMs.toFixed(2),
    ms_reconfirm: +reconfirmMs.toFixed(2),
  }),
);
