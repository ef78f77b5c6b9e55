import { ellswiftCreate, randomPrivateKey } from './ellswift.js';

/**
 * Our BIP 324 ephemeral keys, made ahead of the dials that use them. ellswift_create is the
 * costliest step of our side of a v2 handshake (a handful of XSwiftECInv attempts in JavaScript,
 * about 0.6 ms on a quiet machine, several times ECDH through libsecp256k1): made in the dial's
 * path it delays that peer's first bytes and every socket callback queued behind it. Here the
 * pool refills one key per turn of the event loop (setImmediate: after the pending I/O), so a
 * quiet loop fills it and a busy one is interrupted for one key at a time.
 *
 * Each key is handed out once (popped) and the caller wipes it once copied, as Core makes a fresh
 * key for every connection (net.cpp V2Transport: MakeEllSwift with a new CKey).
 */
export interface EphemeralKey {
  readonly privkey: Uint8Array;
  /** Its ElligatorSwift encoding (64 bytes). */
  readonly ellswift: Uint8Array;
}

/**
 * Keys kept ready: 96 bytes each. A burst of dials larger than this makes the rest inline, as
 * before; 64 cover the dials a handshake gate slot frees between two turns of the loop.
 */
export const KEY_POOL_SIZE = 64;

const pool: EphemeralKey[] = [];
let refilling = false;

function makeKey(): EphemeralKey {
  const privkey = randomPrivateKey();
  return { privkey, ellswift: ellswiftCreate(privkey) };
}

function refill(): void {
  refilling = false;
  if (pool.length >= KEY_POOL_SIZE) return;
  pool.push(makeKey());
  scheduleRefill();
}

function scheduleRefill(): void {
  if (refilling || pool.length >= KEY_POOL_SIZE) return;
  refilling = true;
  // Unref'd: a pool being filled never keeps the process alive.
  setImmediate(refill).unref();
}

/** A fresh key: from the pool when it has one, else made now; the pool then refills. */
export function takeKey(): EphemeralKey {
  const key = pool.pop() ?? makeKey();
  scheduleRefill();
  return key;
}

/** Keys ready now (for tests and benchmarks). */
export function pooledKeys(): number {
  return pool.length;
}
