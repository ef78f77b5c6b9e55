/**
 * Inventory benchmark: lib/crawler/inventory.ts fed the announcements of a 10,000-peer network in
 * virtual time, pure (no sockets, no timers), deterministic (a seeded generator).
 *
 *   npm run bench:inventory -- (= node --expose-gc --import tsx scripts/bench-inventory.ts)
 *   node --expose-gc --import tsx scripts/bench-inventory.ts [--peers 10000] [--seconds 30]
 *        [--rate 20] [--behind 0] [--rounds 3] [--baseline DIR]
 *
 * --behind S delivers each tx S seconds after it was asked for instead of 100 ms: a crawler that
 * has fallen behind, whose pending txs collect every peer's announcement (S < 60, the request
 * timeout, so nothing is re-requested). --baseline DIR also runs DIR/lib/crawler/inventory.ts (a
 * checkout, e.g. `git archive <commit> lib | tar -x -C DIR`) on the same traffic, rounds
 * alternating in one process, and checks that both did the same work.
 *
 * Traffic: `rate` txs a second (a txid and a distinct wtxid each). Each reaches each peer after an
 * exponential delay (mean 0.5 s); each peer flushes what it learned in one inv every 0.45–1.35 s
 * (uniform), so 10,000 peers send ~11,000 invs and ~200,000 items a second, as the simulated
 * network of scripts/network does. 90% of peers announce by wtxid (MSG_WTX, BIP 339), the rest by
 * txid (MSG_TX). The first announcement is asked for; the tx is delivered (txid and wtxid) after
 * the delay above, so almost every later item is already seen. expire() runs every virtual second.
 * Items are prebuilt (one InvItem per tx and id kind, shared by all messages): the timed loop is
 * the inventory alone, not decoding.
 *
 * Reported per implementation: ns per announced item (the whole replay, announce + delivered +
 * expire, divided by the items announced; median round), and the heap the inventory holds at the
 * end of the trace after a full GC (with --behind S, the txs of the last S seconds are pending).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Inventory as ThisInventory, DEFAULT_INVENTORY_LIMITS, type Request } from '../lib/crawler/inventory.js';
import { toHex } from '../lib/wire/hex.js';
import { InvType, type InvItem } from '../lib/wire/messages.js';
import { random } from '../spec/support/network/stream.js';
import { median } from '../spec/support/stats.js';

const { values: opts } = parseArgs({
  options: {
    peers: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '20' },
    behind: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '3' },
    baseline: { type: 'string' },
  },
});
const PEERS = Number(opts.peers);
const SECONDS = Number(opts.seconds);
const RATE = Number(opts.rate);
const BEHIND_S = Number(opts.behind);
const ROUNDS = Number(opts.rounds);
if (![PEERS, SECONDS, RATE, BEHIND_S, ROUNDS].every((n) => Number.isFinite(n) && n >= 0) || BEHIND_S >= 60) throw new Error('bad arguments');
const DELIVERY_MS = BEHIND_S > 0 ? BEHIND_S * 1000 : 100;
const PROPAGATION_MEAN_MS = 500;
const FLUSH_MIN_MS = 450;
const FLUSH_SPAN_MS = 900;
const WTXID_RELAY_SHARE = 0.9;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

interface Message {
  readonly time: number;
  readonly peer: string;
  readonly items: InvItem[];
}
interface Traffic {
  readonly messages: Message[];
  readonly items: number;
  /** Either id of each tx, as hex → [txid, wtxid] as delivered. */
  readonly ids: Map<string, Uint8Array[]>;
}

function traffic(): Traffic {
  const rand = random(0x1234567);
  const txCount = Math.round(SECONDS * RATE);
  const hash = (): Uint8Array => Uint8Array.from({ length: 32 }, () => (rand() * 256) | 0);
  const txs = Array.from({ length: txCount }, (_, i) => {
    const txid = hash();
    const wtxid = hash();
    return { born: (i * 1000) / RATE, byTxid: { type: InvType.TX, hash: txid }, byWtxid: { type: InvType.WTX, hash: wtxid }, ids: [txid, wtxid] };
  });
  const ids = new Map<string, Uint8Array[]>();
  for (const t of txs) for (const id of t.ids) ids.set(toHex(id), t.ids);
  const messages: Message[] = [];
  let items = 0;
  const end = SECONDS * 1000;
  for (let p = 0; p < PEERS; p++) {
    const peer = `10.${(p >> 16) & 255}.${(p >> 8) & 255}.${p & 255}:8333`;
    const wtxidRelay = rand() < WTXID_RELAY_SHARE;
    const heard = txs.map((t, i) => ({ at: t.born - PROPAGATION_MEAN_MS * Math.log(1 - rand()), i })).sort((a, b) => a.at - b.at);
    let next = 0;
    for (let flush = rand() * FLUSH_SPAN_MS; flush < end + 5_000; flush += FLUSH_MIN_MS + rand() * FLUSH_SPAN_MS) {
      const batch: InvItem[] = [];
      while (next < heard.length && heard[next].at <= flush) {
        const t = txs[heard[next++].i];
        batch.push(wtxidRelay ? t.byWtxid : t.byTxid);
      }
      if (batch.length > 0) {
        messages.push({ time: Math.round(flush), peer, items: batch });
        items += batch.length;
      }
    }
  }
  messages.sort((a, b) => a.time - b.time);
  return { messages, items, ids };
}

/** The part of Inventory's API the replay uses (this tree's and a baseline's alike). */
interface InventoryLike {
  announce(peer: string, items: readonly InvItem[], now: number): Request[];
  delivered(hashes: readonly Uint8Array[], now: number): { fresh: boolean; wanted: boolean; announcements?: { peers: number; first: { time: number }; last: { time: number } }; requests: Request[] };
  expire(now: number): Request[];
  readonly pending: number;
}
type InventoryClass = new (limits: typeof DEFAULT_INVENTORY_LIMITS) => InventoryLike;

interface Outcome {
  readonly inv: InventoryLike;
  readonly ms: number;
  /** What the inventory did, to check two implementations did the same work. */
  readonly digest: string;
}

function replay(Impl: InventoryClass, t: Traffic): Outcome {
  const inv = new Impl(DEFAULT_INVENTORY_LIMITS);
  // Deliveries are due a constant delay after their request, so a FIFO is in time order.
  const due: Array<{ readonly at: number; readonly ids: Uint8Array[] }> = [];
  let head = 0;
  let requested = 0;
  let fresh = 0;
  let announcers = 0;
  let spread = 0;
  const ask = (rs: Request[], now: number): void => {
    for (const r of rs) {
      for (const item of r.items) {
        requested++;
        due.push({ at: now + DELIVERY_MS, ids: t.ids.get(toHex(item.hash))! });
      }
    }
  };
  let nextExpire = 1000;
  const start = performance.now();
  for (const m of t.messages) {
    while (head < due.length && due[head].at <= m.time) {
      const d = due[head++];
      const got = inv.delivered(d.ids, d.at);
      if (got.fresh && got.announcements) {
        fresh++;
        announcers += got.announcements.peers;
        spread += got.announcements.last.time - got.announcements.first.time;
      }
      ask(got.requests, d.at);
    }
    if (m.time >= nextExpire) {
      ask(inv.expire(m.time), m.time);
      nextExpire += 1000;
    }
    ask(inv.announce(m.peer, m.items, m.time), m.time);
  }
  const ms = performance.now() - start;
  return { inv, ms, digest: `${requested} requested, ${fresh} delivered fresh, ${announcers} announcers counted, spread ${spread} ms, ${inv.pending} pending at the end` };
}

function heapHeldBy(Impl: InventoryClass, t: Traffic): { mb: number; pending: number } {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const { inv } = replay(Impl, t);
  gc!();
  const mb = (process.memoryUsage().heapUsed - before) / 1e6;
  return { mb, pending: inv.pending };
}

async function main(): Promise<void> {
  const impls: Array<{ name: string; Impl: InventoryClass; ms: number[] }> = [{ name: 'this tree', Impl: ThisInventory, ms: [] }];
  if (opts.baseline !== undefined) {
    const url = new URL('lib/crawler/inventory.ts', pathToFileURL(`${resolve(opts.baseline)}/`));
    const base = (await import(url.href)) as { Inventory: InventoryClass };
    impls.push({ name: `baseline ${opts.baseline}`, Impl: base.Inventory, ms: [] });
  }
  const t = traffic();
  console.log(`${PEERS} peers, ${SECONDS} s at ${RATE} tx/s, delivery after ${DELIVERY_MS} ms: ${t.messages.length} invs, ${t.items} items (${Math.round(t.items / SECONDS)}/s)`);
  const digests = impls.map((i) => replay(i.Impl, t).digest); // also the warm-up
  for (let i = 0; i < impls.length; i++) console.log(`  ${impls[i].name}: ${digests[i]}`);
  if (new Set(digests).size !== 1) console.log('  !! the implementations did different work');
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < impls.length; k++) {
      const impl = impls[(r + k) % impls.length];
      impl.ms.push(replay(impl.Impl, t).ms);
    }
  }
  for (const impl of impls) {
    const ms = median(impl.ms);
    const heap = heapHeldBy(impl.Impl, t);
    console.log(
      `${impl.name.padEnd(30)} ${((ms * 1e6) / t.items).toFixed(0).padStart(5)} ns/item  (rounds ${impl.ms.map((x) => x.toFixed(0)).join(', ')} ms)  heap held ${heap.mb.toFixed(1)} MB, ${heap.pending} pending`,
    );
  }
  if (impls.length === 2) {
    const [a, b] = impls.map((i) => median(i.ms));
    console.log(`baseline ÷ this tree: ${(b / a).toFixed(2)}× the time per item`);
  }
}

void main();
