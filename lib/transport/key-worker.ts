/**
 * The key pool's worker thread (key-pool.ts): BIP 324's ElligatorSwift arithmetic on another core,
 * in JavaScript only. It is given public X coordinates to encode (EncodeMessage: our keys' X,
 * computed on the main thread) and peers' encodings to decode (DecodeMessage), in batches, and
 * answers each in order; it never sees a
 * private key, and never loads the secp256k1 addon (ellswift.ts alone: a native addon in a worker
 * once aborted the process at exit, "terminate called after throwing an instance of 'Napi::Error'").
 */
import { parentPort } from 'node:worker_threads';
import { ellswiftDecode, ellswiftEncode } from './ellswift.js';
import { ENCODING_BYTES, MAX_KEYS_PER_REQUEST, X_BYTES, type DecodeMessage, type DecodedMessage, type EncodeMessage } from './key-record.js';

function encode(m: EncodeMessage): void {
  const xs = m.xs instanceof ArrayBuffer ? new Uint8Array(m.xs) : new Uint8Array(0);
  const count = Math.min(Math.floor(xs.length / X_BYTES), MAX_KEYS_PER_REQUEST);
  const out = new Uint8Array(count * ENCODING_BYTES);
  for (let i = 0; i < count; i++) out.set(ellswiftEncode(xs.subarray(i * X_BYTES, (i + 1) * X_BYTES)), i * ENCODING_BYTES);
  parentPort?.postMessage(out.buffer, [out.buffer]);
}

function decode(m: DecodeMessage): void {
  const ells = m.ells instanceof ArrayBuffer ? new Uint8Array(m.ells) : new Uint8Array(0);
  const count = Math.floor(ells.length / ENCODING_BYTES);
  const xs = new Uint8Array(count * X_BYTES);
  for (let i = 0; i < count; i++) xs.set(ellswiftDecode(ells.subarray(i * ENCODING_BYTES, (i + 1) * ENCODING_BYTES)), i * X_BYTES);
  const answer: DecodedMessage = { decoded: xs.buffer };
  parentPort?.postMessage(answer, [xs.buffer]);
}

parentPort?.on('message', (m: unknown) => {
  if (typeof m !== 'object' || m === null) return;
  if ('xs' in m) encode(m as EncodeMessage);
  else if ('ells' in m) decode(m as DecodeMessage);
});
