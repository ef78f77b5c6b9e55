/**
 * What the coordinator and every simulator process agree on without talking: the global
 * transaction stream (built the same way in each process), its schedule (transaction i is created
 * at start + i / R seconds), the peers' addresses and their fixed characters.
 */
import { encodeTx, decodeTx } from '../../../lib/wire/transaction.js';
import type { DecodedTx } from '../../../lib/wire/model.js';
import { toHex, toReversedHex } from '../../../lib/wire/hex.js';
import { typicalTxs } from '../txs.js';

/** The stream runs this long before the window opens: each peer's delay (≤ 2 s) plus trickle (≤ 1.5 s) fills. */
export const STREAM_WARM_S = 5;
/** Per-peer announcement delay and trickle period (fixed per peer, uniform in these ranges). */
export const DELAY_MS: readonly [number, number] = [0, 2_000];
export const TRICKLE_MS: readonly [number, number] = [500, 1_500];

/** Milliseconds since the epoch with sub-millisecond resolution, comparable between processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** K distinct loopback addresses: 127.0.x.y with x ≥ 1, y in 1..254 (never 127.0.0.1). */
export function hostOf(i: number): string {
  return `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;
}

/** mulberry32: the same delays and trickle periods for the same peer in every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A peer's fixed character, from the address the crawler dialled (127.0.x.y as a number). */
export function characterOf(address: number): { delayMs: number; trickleMs: number } {
  const rnd = random(address);
  return {
    delayMs: DELAY_MS[0] + rnd() * (DELAY_MS[1] - DELAY_MS[0]),
    trickleMs: TRICKLE_MS[0] + rnd() * (TRICKLE_MS[1] - TRICKLE_MS[0]),
  };
}

/** The global stream: transactions made distinct by their locktime (as distinctTxs does). */
export interface Stream {
  readonly txs: DecodedTx[];
  readonly byWtxid: Map<string, number>;
  readonly byTxid: Map<string, number>;
  /** Display txid (the line's "txid") → index. */
  readonly byLineTxid: Map<string, number>;
}

export function buildStream(n: number): Stream {
  const base = typicalTxs();
  const txs: DecodedTx[] = [];
  const byWtxid = new Map<string, number>();
  const byTxid = new Map<string, number>();
  const byLineTxid = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = decodeTx(encodeTx({ ...base[i % base.length], locktime: 500_000_000 + i }));
    txs.push(t);
    byWtxid.set(toHex(t.wtxid), i);
    byTxid.set(toHex(t.txid), i);
    byLineTxid.set(toReversedHex(t.txid), i);
  }
  return { txs, byWtxid, byTxid, byLineTxid };
}

/** The schedule: how many transactions exist at `now` (epoch ms) for a stream started at `start`. */
export function createdBy(now: number, start: number, rate: number, n: number): number {
  if (now < start) return 0;
  return Math.min(n, Math.floor(((now - start) / 1000) * rate) + 1);
}

/** When transaction i is created (epoch ms). */
export function createdAt(i: number, start: number, rate: number): number {
  return start + (i * 1000) / rate;
}

/** Coordinator → simulator. */
export type ToSimulator =
  | { readonly kind: 'serve' }
  | { readonly kind: 'stream'; readonly start: number }
  | { readonly kind: 'stop' }
  | { readonly kind: 'report' };

/** What one simulator measured, per transaction index (NaN / 0 where nothing happened). */
export interface SimulatorReport {
  readonly firstInv: number[];
  readonly asked: number[];
  readonly askedAt: number[];
  readonly notfoundItems: number;
  readonly accepted: number;
  readonly closedDuringRun: number;
  readonly protocolErrors: number;
  readonly invsSent: number;
  readonly invItemsSent: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly rssMb: number;
}

/** Simulator → coordinator. */
export type FromSimulator =
  | { readonly kind: 'listening' }
  | { readonly kind: 'handshakes'; readonly n: number }
  | { readonly kind: 'report'; readonly report: SimulatorReport };
