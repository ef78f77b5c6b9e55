/**
 * The key pool's worker thread (key-pool.ts): makes BIP 324 ephemeral keys (a random secret and
 * its ElligatorSwift encoding, ellswift.ts) on another core. Asked for `n` keys, it answers one
 * transferred ArrayBuffer of n × KEY_RECORD_BYTES: each key's secret then its encoding.
 */
import { parentPort } from 'node:worker_threads';
import { ellswiftCreate, randomPrivateKey } from './ellswift.js';
import { KEY_RECORD_BYTES, MAX_KEYS_PER_REQUEST } from './key-record.js';

parentPort?.on('message', (n: unknown) => {
  const count = typeof n === 'number' && Number.isInteger(n) && n > 0 ? Math.min(n, MAX_KEYS_PER_REQUEST) : 0;
  const out = new Uint8Array(count * KEY_RECORD_BYTES);
  for (let i = 0; i < count; i++) {
    const privkey = randomPrivateKey();
    out.set(privkey, i * KEY_RECORD_BYTES);
    out.set(ellswiftCreate(privkey), i * KEY_RECORD_BYTES + 32);
    privkey.fill(0);
  }
  parentPort?.postMessage(out.buffer, [out.buffer]);
});
