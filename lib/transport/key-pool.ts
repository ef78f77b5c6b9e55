import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ellswiftCreate, publicX, randomPrivateKey, v2Ecdh, v2EcdhFromX } from './v2-ecdh.js';
import { ENCODING_BYTES, MAX_DECODES_PER_REQUEST, MAX_KEYS_PER_REQUEST, X_BYTES, type DecodedMessage, type DecodeMessage, type EncodeMessage } from './key-record.js';
import type { AgreeRequest } from './v2-types.js';

/**
 * Our BIP 324 ephemeral keys, made ahead of the dials that use them. ellswift_create is the
 * costliest step of our side of a v2 handshake: x(priv⋅G) through libsecp256k1 takes ~30 µs, its
 * ElligatorSwift encoding (a handful of XSwiftECInv attempts in JavaScript) ~240 µs, a fifth of
 * the crawler's CPU while 10,000 v2 handshakes run (BENCHMARKS.md). So the encoding is made in a
 * worker thread (key-worker.ts), on the other core, and a dial that finds the pool empty waits
 * for the next key (withKey). Their key's decoding (ellswift_decode, ~50 µs of JavaScript) is
 * done there too (agree); the ECDH itself and its hash stay here. The secret and the addon stay
 * on this thread: the worker gets X coordinates and encodings, public data.
 * Where the worker cannot run (the TypeScript sources without their compiled worker, as under
 * vitest; BITCRAWL_KEY_WORKER=0; the worker failed), the pool refills here, one key per turn of
 * the event loop (setImmediate: after the pending I/O), and a dial that finds it empty makes its
 * key at once.
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

/** Handshakes whose peer key the worker decodes at most; past it one is decoded here at once. */
export const MAX_AGREEMENTS_PENDING = 10_000;

/** The shared secret, computed when called (it throws what v2Ecdh throws): called inside the session's error handling. */
export type Secret = () => Uint8Array;

const pool: EphemeralKey[] = [];
/** Our secrets whose X the worker is encoding, in the order asked (it answers in order). */
const encoding: Uint8Array[] = [];
interface Agreement {
  readonly request: AgreeRequest;
  readonly done: (secret: Secret) => void;
}
/** Agreements whose peer key goes to the worker at the end of this turn of the event loop, in one message. */
let toDecode: Agreement[] = [];
/** Agreements sent, in the order sent (the worker answers in order). */
const decoding: Agreement[] = [];
const waiters: Array<(key: EphemeralKey) => void> = [];
let refilling = false;
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
  if (process.env.BITCRAWL_KEY_WORKER === '0') inline = 'BITCRAWL_KEY_WORKER=0';
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
  for (const k of encoding.splice(0)) k.fill(0);
  // Whoever waited gets a key made here, and their key decoded here.
  for (const w of waiters.splice(0)) w(pool.pop() ?? makeKey());
  const pending = [...decoding.splice(0), ...toDecode];
  toDecode = [];
  for (const a of pending) a.done(() => agreeHere(a.request));
  scheduleRefill();
}

function agreeHere(r: AgreeRequest): Uint8Array {
  return v2Ecdh(r.privkey, r.theirs, r.ours, r.initiator);
}

function received(data: unknown): void {
  if (typeof data === 'object' && data !== null && 'decoded' in data) return decoded(data as DecodedMessage);
  if (!(data instanceof ArrayBuffer) || data.byteLength % ENCODING_BYTES !== 0 || data.byteLength / ENCODING_BYTES > encoding.length) {
    return stopWorker('the key worker answered something else');
  }
  const bytes = new Uint8Array(data);
  for (let at = 0; at < bytes.length; at += ENCODING_BYTES) {
    const key = { privkey: encoding.shift() as Uint8Array, ellswift: bytes.slice(at, at + ENCODING_BYTES) };
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(key);
    else if (pool.length < KEY_POOL_SIZE) pool.push(key);
    else key.privkey.fill(0);
  }
  idle();
  scheduleRefill();
}

function decoded(m: DecodedMessage): void {
  if (!(m.decoded instanceof ArrayBuffer) || m.decoded.byteLength % X_BYTES !== 0 || m.decoded.byteLength / X_BYTES > decoding.length) {
    return stopWorker('the key worker answered something else');
  }
  const xs = new Uint8Array(m.decoded);
  const done = decoding.splice(0, xs.length / X_BYTES);
  idle();
  for (let i = 0; i < done.length; i++) {
    const r = done[i].request;
    const x = xs.subarray(i * X_BYTES, (i + 1) * X_BYTES);
    done[i].done(() => v2EcdhFromX(r.privkey, x, r.theirs, r.ours, r.initiator));
  }
}

/** Sends the peers' keys gathered this turn, MAX_DECODES_PER_REQUEST a message. */
function flushDecodes(): void {
  const w = worker;
  if (w === undefined) return; // stopWorker computed them here
  for (let from = 0; from < toDecode.length; from += MAX_DECODES_PER_REQUEST) {
    const batch = toDecode.slice(from, from + MAX_DECODES_PER_REQUEST);
    const ells = new Uint8Array(batch.length * ENCODING_BYTES);
    for (let i = 0; i < batch.length; i++) ells.set(batch[i].request.theirs, i * ENCODING_BYTES);
    const m: DecodeMessage = { ells: ells.buffer };
    w.postMessage(m, [ells.buffer]);
    for (const a of batch) decoding.push(a);
  }
  toDecode = [];
}

/** Nothing waits on the worker: it no longer keeps the process alive. */
function idle(): void {
  if (waiters.length === 0 && decoding.length === 0 && toDecode.length === 0) worker?.unref();
}

/**
 * Asks the worker for what the pool and the waiters lack (two requests in flight at most, so keys
 * come steadily): our secrets and their X are made here (libsecp256k1, ~30 µs), the encodings there.
 */
function scheduleRefill(): void {
  const w = keyWorker();
  if (w !== undefined) {
    let want = KEY_POOL_SIZE + waiters.length - pool.length - encoding.length;
    while (want > 0 && encoding.length < 2 * MAX_KEYS_PER_REQUEST) {
      const n = Math.min(MAX_KEYS_PER_REQUEST, want);
      const xs = new Uint8Array(n * X_BYTES);
      for (let i = 0; i < n; i++) {
        const privkey = randomPrivateKey();
        xs.set(publicX(privkey), i * X_BYTES);
        encoding.push(privkey);
      }
      const m: EncodeMessage = { xs: xs.buffer };
      w.postMessage(m, [xs.buffer]);
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

/** Whether agree() hands part of its work to the worker (else it computes at once): sessions ask for the secret accordingly. */
export function agreesElsewhere(): boolean {
  return keyWorker() !== undefined;
}

/**
 * BIP 324's shared secret, v2Ecdh(request): their key decoded in the worker, `done` called later
 * with the rest of the computation (or at once, all of it here, when there is no worker or
 * MAX_AGREEMENTS_PENDING wait).
 */
export function agree(request: AgreeRequest, done: (secret: Secret) => void): void {
  const w = keyWorker();
  if (w === undefined || decoding.length + toDecode.length >= MAX_AGREEMENTS_PENDING) return done(() => agreeHere(request));
  // Gathered for one message at the end of this turn: a message costs the main thread tens of
  // microseconds, about a decode's worth.
  if (toDecode.length === 0) setImmediate(flushDecodes);
  toDecode.push({ request, done });
  w.ref();
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
