/**
 * The key pool's worker thread (key-pool.ts): BIP 324's elliptic-curve work on another core.
 * Asked for `n` keys (a number), it makes them (a random secret and its ElligatorSwift encoding,
 * ellswift.ts) and answers one transferred ArrayBuffer of n × KEY_RECORD_BYTES: each key's secret
 * then its encoding. Asked to agree (an AgreeMessage), it answers the shared secret v2Ecdh gives.
 */
import { parentPort } from 'node:worker_threads';
import { ellswiftCreate, randomPrivateKey, v2Ecdh } from './ellswift.js';
import { KEY_RECORD_BYTES, MAX_KEYS_PER_REQUEST, type AgreeMessage, type AgreedMessage } from './key-record.js';

function keys(n: number): void {
  const count = Number.isInteger(n) && n > 0 ? Math.min(n, MAX_KEYS_PER_REQUEST) : 0;
  const out = new Uint8Array(count * KEY_RECORD_BYTES);
  for (let i = 0; i < count; i++) {
    const privkey = randomPrivateKey();
    out.set(privkey, i * KEY_RECORD_BYTES);
    out.set(ellswiftCreate(privkey), i * KEY_RECORD_BYTES + 32);
    privkey.fill(0);
  }
  parentPort?.postMessage(out.buffer, [out.buffer]);
}

function agree(m: AgreeMessage): void {
  let answer: AgreedMessage;
  try {
    answer = { id: m.id, secret: v2Ecdh(m.privkey, m.theirs, m.ours, m.initiator) };
  } catch (e) {
    answer = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  m.privkey.fill(0);
  parentPort?.postMessage(answer);
}

parentPort?.on('message', (m: unknown) => {
  if (typeof m === 'number') keys(m);
  else if (typeof m === 'object' && m !== null && 'id' in m) agree(m as AgreeMessage);
});
