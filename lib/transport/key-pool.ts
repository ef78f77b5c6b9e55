import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ellswiftCreate, randomPrivateKey, v2Ecdh } from './ellswift.js';
import { KEY_RECORD_BYTES, MAX_KEYS_PER_REQUEST, type AgreeMessage, type AgreedMessage } from './key-record.js';
import type { AgreeRequest } from './v2-types.js';

/**
 * Our BIP 324 ephemeral keys, made ahead of the dials that use them. ellswift_create is the
 * costliest step of our side of a v2 handshake (a handful of XSwiftECInv attempts in JavaScript,
 * about 0.5 ms, several times ECDH through libsecp256k1; a quarter of the crawler's CPU while
 * 10,000 v2 handshakes run: BENCHMARKS.md). So keys are made in a worker thread (key-worker.ts),
 * on the other core, and a dial that finds the pool empty waits for the next one (withKey). The
 * shared secret of each handshake is computed there too (agree: ellswift_decode in JavaScript
 * and ECDH, another tenth of that CPU).
 * Where the worker cannot run (the TypeScript sources without their compiled worker, as under
 * vitest; without BITCRAWL_KEY_WORKER=1, the default for now; the worker failed), the pool refills here, one key per turn of
 * the event loop (setImmediate: after the pending I/O), and a dial that finds it empty makes its
 * key at once, as before.
 *
 * Each key is handed out once and the caller wipes it once copied, as Core makes a fresh key for
 * every connection (net.cpp V2Transport: MakeEllSwift with a new CKey).
 */
export interface EphemeralKey {
  readonly privkey: Uint8Array;
  /** Its ElligatorSwift encoding (64 bytes). */
  readonly ellswift: Uint8Array;
}

/** Keys kept ready: 96 bytes each; what a burst of dials takes before it waits for the worker. */
export const KEY_POOL_SIZE = 64;
/**
 * Dials waiting for a key at most (a closure each); past it a dial makes its key at once. The
 * handshake gate (lib/pool/handshakes.ts MAX_HANDSHAKES_IN_FLIGHT) keeps far fewer waiting.
 */
export const MAX_KEY_WAITERS = 10_000;

/** Handshakes whose shared secret the worker computes at most; past it one is computed here at once. */
export const MAX_AGREEMENTS_PENDING = 10_000;

const pool: EphemeralKey[] = [];
const agreements = new Map<number, { readonly request: AgreeRequest; readonly done: (secret: Uint8Array) => void }>();
let nextAgreement = 0;
const waiters: Array<(key: EphemeralKey) => void> = [];
let refilling = false;
/** Keys asked of the worker and not yet received. */
let requested = 0;
let worker: Worker | undefined;
/** Why keys are made on this thread; undefined while the worker is untried or running. */
let inline: string | undefined;

function makeKey(): EphemeralKey {
  const privkey = randomPrivateKey();
  return { privkey, ellswift: ellswiftCreate(privkey) };
}

/** The worker, started at first use; undefined when keys are made on this thread (`inline` says why). */
function keyWorker(): Worker | undefined {
  if (worker !== undefined || inline !== undefined) return worker;
  const url = new URL('./key-worker.js', import.meta.url);
  // Opt-in: the secp256k1 addon, loaded in a worker, aborted the process at exit once ("terminate
  // called after throwing an instance of 'Napi::Error'", a crawl ending as its peer left).
  if (process.env.BITCRAWL_KEY_WORKER !== '1') inline = 'the default; BITCRAWL_KEY_WORKER=1 for the worker';
  else if (!existsSync(fileURLToPath(url))) inline = 'no compiled key-worker.js beside key-pool (running from the TypeScript sources)';
  if (inline !== undefined) return undefined;
  try {
    const w = new Worker(url);
    w.on('message', received);
    w.on('error', (e) => stopWorker(`the key worker failed: ${e.message}`));
    w.on('exit', (code) => stopWorker(`the key worker exited (${code})`));
    // A worker filling the pool never keeps the process alive (unref'd after its listeners:
    // adding one refs it); one that a dial waits on does (withKey).
    w.unref();
    worker = w;
  } catch (e) {
    inline = `the key worker did not start: ${e instanceof Error ? e.message : String(e)}`;
  }
  return worker;
}

function stopWorker(why: string): void {
  if (inline !== undefined) return;
  inline = why;
  worker = undefined;
  requested = 0;
  // Whoever waited gets a key made here, and a secret computed here.
  for (const w of waiters.splice(0)) w(pool.pop() ?? makeKey());
  const pending = [...agreements.values()];
  agreements.clear();
  for (const a of pending) a.done(agreeHere(a.request));
  scheduleRefill();
}

function agreeHere(r: AgreeRequest): Uint8Array {
  return v2Ecdh(r.privkey, r.theirs, r.ours, r.initiator);
}

function received(data: unknown): void {
  if (typeof data === 'object' && data !== null && 'id' in data) return agreed(data as AgreedMessage);
  if (!(data instanceof ArrayBuffer) || data.byteLength % KEY_RECORD_BYTES !== 0) return stopWorker('the key worker answered something else');
  const bytes = new Uint8Array(data);
  const count = bytes.length / KEY_RECORD_BYTES;
  requested = Math.max(0, requested - count);
  for (let i = 0; i < count; i++) {
    const at = i * KEY_RECORD_BYTES;
    const key = { privkey: bytes.slice(at, at + 32), ellswift: bytes.slice(at + 32, at + KEY_RECORD_BYTES) };
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(key);
    else if (pool.length < KEY_POOL_SIZE) pool.push(key);
    else key.privkey.fill(0);
  }
  bytes.fill(0);
  idle();
  scheduleRefill();
}

function agreed(m: AgreedMessage): void {
  const a = agreements.get(m.id);
  agreements.delete(m.id);
  idle();
  // An error there (none is expected: any 64 bytes decode) is computed again here, to end that connection with it.
  if (a !== undefined) a.done('secret' in m ? m.secret : agreeHere(a.request));
}

/** Nothing waits on the worker: it no longer keeps the process alive. */
function idle(): void {
  if (waiters.length === 0 && agreements.size === 0) worker?.unref();
}

/** Asks the worker for what the pool and the waiters lack (two requests in flight at most, so keys come steadily), or refills here. */
function scheduleRefill(): void {
  const w = keyWorker();
  if (w !== undefined) {
    let want = KEY_POOL_SIZE + waiters.length - pool.length - requested;
    while (want > 0 && requested < 2 * MAX_KEYS_PER_REQUEST) {
      const n = Math.min(MAX_KEYS_PER_REQUEST, want);
      w.postMessage(n);
      requested += n;
      want -= n;
    }
    return;
  }
  if (refilling || pool.length >= KEY_POOL_SIZE) return;
  refilling = true;
  // Unref'd: a pool being filled never keeps the process alive.
  setImmediate(refillHere).unref();
}

function refillHere(): void {
  refilling = false;
  if (worker !== undefined || pool.length >= KEY_POOL_SIZE) return;
  pool.push(makeKey());
  scheduleRefill();
}

/** A fresh key now: from the pool when it has one, else made on this thread; the pool then refills. */
export function takeKey(): EphemeralKey {
  const key = pool.pop() ?? makeKey();
  scheduleRefill();
  return key;
}

/**
 * Calls `use` with a fresh key: at once when the pool has one or keys are made on this thread,
 * else when the worker sends the next (a dial waits rather than spend this thread's time on it).
 */
export function withKey(use: (key: EphemeralKey) => void): void {
  const key = pool.pop();
  if (key !== undefined || keyWorker() === undefined || waiters.length >= MAX_KEY_WAITERS) {
    scheduleRefill();
    return use(key ?? makeKey());
  }
  waiters.push(use);
  worker?.ref();
  scheduleRefill();
}

/** Whether agree() hands its work to the worker (else it computes at once): sessions ask for the secret accordingly. */
export function agreesElsewhere(): boolean {
  return keyWorker() !== undefined;
}

/**
 * BIP 324's shared secret, v2Ecdh(request), computed in the worker: `done` gets it later (or at
 * once, computed here, when there is no worker or MAX_AGREEMENTS_PENDING wait).
 */
export function agree(request: AgreeRequest, done: (secret: Uint8Array) => void): void {
  const w = keyWorker();
  if (w === undefined || agreements.size >= MAX_AGREEMENTS_PENDING) return done(agreeHere(request));
  const id = nextAgreement++;
  agreements.set(id, { request, done });
  w.ref();
  const m: AgreeMessage = { id, ...request };
  w.postMessage(m);
}

/** Keys ready now (for tests and benchmarks). */
export function pooledKeys(): number {
  return pool.length;
}

/** Where keys are made, for the log: "a worker thread", or on this thread and why. */
export function keyMaker(): string {
  keyWorker();
  return inline === undefined ? 'a worker thread' : `this thread (${inline})`;
}
