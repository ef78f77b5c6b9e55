/**
 * Compact block reconstruction benchmark: what a `cmpctblock` costs the crawler. Each one hashes
 * the wtxid of every stored transaction (SipHash-2-4, as Core scans its mempool) until every short
 * id has matched, then decodes the matched transactions and assembles the block.
 *
 *   npm run bench:compact                           (100,000 stored, a block of 3,000)
 *   npm run bench:compact -- --stored 250000 --block 4000
 *
 * The block's transactions are added first (oldest), so the scan meets the last of them only at
 * the end: the worst case for Core's early exit. Other stored entries are random bytes with
 * random wtxids (only their ids are hashed).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { initData } from '../lib/crawler/compact-state.js';
import { TxStore } from '../lib/crawler/tx-store.js';
import { writeBlockHeader } from '../lib/wire/block.js';
import { sha256d } from '../lib/wire/hash.js';
import { fromHex } from '../lib/wire/hex.js';
import type { CmpctBlockMessage } from '../lib/wire/messages.js';
import type { DecodedTx } from '../lib/wire/model.js';
import { shortId, shortIdKey } from '../lib/wire/short-id.js';
import { siphash24 } from '../lib/wire/siphash.js';
import { decodeTx, encodeTx } from '../lib/wire/transaction.js';
import { ByteWriter } from '../lib/wire/writer.js';
import { typicalTxVectors } from '../spec/support/vectors.js';

const { values } = parseArgs({ options: { stored: { type: 'string', default: '100000' }, block: { type: 'string', default: '3000' } } });
const stored = Number(values.stored);
const inBlock = Number(values.block);

const base = typicalTxVectors(600).map((v) => decodeTx(fromHex(v.hex))).filter((t) => !t.inputs.some((i) => i.prevIndex === 0xffffffff));
const blockTxs: DecodedTx[] = [];
for (let i = 0; i < inBlock; i++) blockTxs.push(decodeTx(encodeTx({ ...base[i % base.length], locktime: 500_000_000 + i })));

const others = Array.from({ length: Math.max(0, stored - blockTxs.length) }, () => ({ wtxid: randomBytes(32), raw: randomBytes(250) }) as unknown as DecodedTx);
// A ring just large enough for all of them (and the 4 bytes a wrap may leave unused).
const store = new TxStore([...blockTxs, ...others].reduce((n, t) => n + TxStore.entrySize(t.raw.length), 4));
for (const t of [...blockTxs, ...others]) store.add(t);
if (store.size !== stored) throw new Error(`stored ${store.size}, not ${stored}`);

const h = new ByteWriter(80);
const header = { version: 0x20000000, prevBlock: randomBytes(32), merkleRoot: randomBytes(32), time: 1_700_000_000, bits: 0x207fffff, nonce: 1, hash: new Uint8Array(32) };
writeBlockHeader(header, h);
const withHash = { ...header, hash: sha256d(h.finish()) };
const key = shortIdKey(withHash, 7n);
const msg: CmpctBlockMessage = { command: 'cmpctblock', header: withHash, nonce: 7n, shortIds: blockTxs.map((t) => shortId(key, t.wtxid)), prefilled: [{ index: 0, tx: base[0] }] };

// SipHash alone, per 32-byte id.
const ids = Array.from({ length: 100_000 }, () => randomBytes(32));
let t0 = performance.now();
for (let r = 0; r < 5; r++) for (const id of ids) siphash24(key.k0, key.k1, id);
const sipNs = ((performance.now() - t0) * 1e6) / (5 * ids.length);

const runs = 5;
t0 = performance.now();
let missing = 0;
for (let r = 0; r < runs; r++) {
  const res = initData(msg, store);
  if (!res.ok) throw new Error(res.why);
  missing = Array.from(res.slots, (t) => t === undefined).filter(Boolean).length;
}
const ms = (performance.now() - t0) / runs;
console.log(`SipHash-2-4 of a 32-byte id: ${sipNs.toFixed(0)} ns`);
console.log(`cmpctblock of ${inBlock} txs against ${stored.toLocaleString('en')} stored (${(store.bytes / 2 ** 20).toFixed(0)} MiB of ring): ${ms.toFixed(1)} ms to look up and decode (${missing} missing)`);
