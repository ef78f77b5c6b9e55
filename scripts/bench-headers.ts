/**
 * Header sync benchmark: how fast the crawler takes `headers` messages in (decode, Core's header
 * checks, the tree's bookkeeping and pruning), and what the bounded tree holds afterwards.
 *
 *   npm run bench:headers                      (100,000 headers, 50 messages of 2,000)
 *   npm run bench:headers -- --headers 200000
 *
 * The headers are a regtest chain from genesis, mined beforehand (regtest's target: ~2 hashes a
 * header) and encoded as the `headers` messages a node would send; only decoding and
 * HeaderSync.headers are timed. Mainnet headers would cost the same per header: the checks do not
 * depend on the difficulty. Heap is measured after a forced GC (run with --expose-gc).
 */
import { parseArgs } from 'node:util';
import { CHAIN_PARAMS, ANCHORS, anchorBytes } from '../lib/chain/params.js';
import { HeaderTree } from '../lib/chain/tree.js';
import { HeaderSync } from '../lib/crawler/headers.js';
import { checkProofOfWork, POW_LIMITS } from '../lib/tx/pow.js';
import { readBlockHeader, writeBlockHeader } from '../lib/wire/block.js';
import { sha256d } from '../lib/wire/hash.js';
import { MAX_HEADERS } from '../lib/wire/limits.js';
import type { BlockHeader } from '../lib/wire/model.js';
import { ByteReader } from '../lib/wire/reader.js';
import { decodeMessage, encodePayload } from '../lib/wire/registry.js';
import { ByteWriter } from '../lib/wire/writer.js';

const { values } = parseArgs({ options: { headers: { type: 'string', default: '100000' } } });
const n = Number(values.headers);

function hashOf(h: Omit<BlockHeader, 'hash'>): Uint8Array {
  const w = new ByteWriter(80);
  writeBlockHeader({ ...h, hash: new Uint8Array(32) }, w);
  return sha256d(w.finish());
}

let prev = readBlockHeader(new ByteReader(anchorBytes(ANCHORS.regtest)));
const payloads: Uint8Array[] = [];
let batch: BlockHeader[] = [];
for (let i = 0; i < n; i++) {
  const base = { version: 0x20000000, prevBlock: prev.hash, merkleRoot: new Uint8Array(32).fill(i & 0xff), time: 1_700_000_000 + i * 600, bits: 0x207fffff };
  let nonce = 0;
  while (!checkProofOfWork(hashOf({ ...base, nonce }), base.bits, POW_LIMITS.regtest)) nonce++;
  prev = { ...base, nonce, hash: hashOf({ ...base, nonce }) };
  batch.push(prev);
  if (batch.length === MAX_HEADERS || i === n - 1) {
    payloads.push(encodePayload({ command: 'headers', headers: batch }));
    batch = [];
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const sync = new HeaderSync(new HeaderTree(CHAIN_PARAMS.regtest));
const now = Date.UTC(2026, 0, 1);
sync.ready('peer', now);
const t0 = process.hrtime.bigint();
let asked = 0;
for (const payload of payloads) {
  const m = decodeMessage({ command: 'headers', payload });
  if (m.command !== 'headers') throw new Error('not headers');
  const actions = sync.headers('peer', m.headers, now);
  if (actions.some((a) => a.type === 'drop')) throw new Error(`dropped: ${JSON.stringify(actions)}`);
  asked += actions.filter((a) => a.type === 'getheaders').length;
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
gc?.();
const heapAfter = process.memoryUsage().heapUsed;
console.log(
  JSON.stringify({
    headers: n,
    messages: payloads.length,
    getheaders_sent: asked,
    ms: Math.round(ms),
    headers_per_s: Math.round((n / ms) * 1000),
    best_height: sync.tree.best.height,
    tree_size: sync.tree.size,
    heap_retained_mb: gc ? Math.round(((heapAfter - heapBefore) / 1e6) * 10) / 10 : 'run with --expose-gc',
  }),
);
