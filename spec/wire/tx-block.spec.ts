/**
 * The tx, block and headers codecs, which delegate to lib/tx, against real transactions and
 * blocks from spec/fixtures/vectors (see its README for their provenance and cross-checks).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeTx } from '../../lib/wire/transaction.js';
import type { Transaction } from '../../lib/wire/model.js';
import { DecodeError } from '../../lib/wire/errors.js';
import { Framer } from '../../lib/wire/framer.js';
import { fromHex, toHex, toReversedHex } from '../../lib/wire/hex.js';
import type { Message, MessageOf } from '../../lib/wire/messages.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { decodeMessage, encodeMessage, encodePayload, maxPayloadFor } from '../../lib/wire/registry.js';
import { ByteWriter } from '../../lib/wire/writer.js';
import { readVectors, type BlockVector, type TxVector } from '../support/vectors.js';
import { onlyErrors } from '../support/errors.js';

const MAGIC = NETWORKS.mainnet.magic;

const txs = readVectors<TxVector>('transactions.ndjson');
const blocks = readVectors<BlockVector>('blocks.ndjson');

function decode<C extends Message['command']>(command: C, payload: Uint8Array): MessageOf<C> {
  const m = decodeMessage({ command, payload });
  expect(m.command).toBe(command);
  return m as MessageOf<C>;
}

describe('tx', () => {
  it(`decodes all ${txs.length} vector transactions with their txid and wtxid, and re-encodes them byte for byte`, () => {
    for (const v of txs) {
      const payload = fromHex(v.hex);
      const { tx } = decode('tx', payload);
      expect(toReversedHex(tx.txid), v.desc).toBe(v.txid);
      expect(toReversedHex(tx.wtxid), v.desc).toBe(v.wtxid);
      expect(Buffer.compare(encodePayload({ command: 'tx', tx }), payload), v.desc).toBe(0);
    }
  });

  it('carries a transaction through a whole frame and the framer', () => {
    const v = txs[0];
    const frame = encodeMessage(MAGIC, decode('tx', fromHex(v.hex)));
    const [m] = new Framer(MAGIC, maxPayloadFor).push(frame).map(decodeMessage);
    expect(m.command === 'tx' && toReversedHex(m.tx.txid)).toBe(v.txid);
  });

  it('refuses trailing bytes after a transaction', () => {
    expect(() => decodeMessage({ command: 'tx', payload: fromHex(txs[0].hex + '00') })).toThrow(DecodeError);
  });

  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const script = fc.uint8Array({ maxLength: 40 });
  const transaction: fc.Arbitrary<Transaction> = fc.record({
    version: fc.integer({ min: 0, max: 0xffffffff }), // u32, as Core reads it since v29
    // At least one input: a legacy transaction without inputs reads as a segwit marker (ARCHITECTURE.md, "Protocol facts").
    inputs: fc.array(
      fc.record({
        prevTxid: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        prevIndex: u32,
        scriptSig: script,
        sequence: u32,
        witness: fc.oneof(fc.constant([]), fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 4 })),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    outputs: fc.array(fc.record({ value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), script }), { maxLength: 4 }),
    locktime: u32,
  });

  it('round-trips arbitrary transactions through the tx codec (property)', () => {
    fc.assert(
      fc.property(transaction, (t) => {
        const segwit = t.inputs.some((i) => i.witness.length > 0);
        const w = new ByteWriter();
        writeTx(t, w, segwit);
        const payload = w.finish();
        const { tx } = decode('tx', payload);
        expect(tx).toMatchObject(t);
        expect(tx.segwit).toBe(segwit);
        expect(Buffer.compare(encodePayload({ command: 'tx', tx }), payload)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('mutated and truncated transactions decode or throw DecodeError, nothing else', () => {
    const small = txs.filter((v) => v.hex.length < 4000).map((v) => fromHex(v.hex));
    fc.assert(
      fc.property(fc.constantFrom(...small), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('flip', 'truncate', 'insert'), (raw, where, byte, how) => {
        const p = [...raw];
        const at = where % p.length;
        if (how === 'flip') p[at] ^= byte;
        if (how === 'truncate') p.length = at;
        if (how === 'insert') p.splice(at, 0, byte);
        onlyErrors(DecodeError, () => decodeMessage({ command: 'tx', payload: Uint8Array.from(p) }));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('block', () => {
  it(`decodes all ${blocks.length} vector blocks with their hash and tx count, and re-encodes them byte for byte`, () => {
    for (const v of blocks) {
      const payload = fromHex(v.hex);
      expect(payload.length).toBeLessThanOrEqual(maxPayloadFor('block'));
      const { block } = decode('block', payload);
      expect(toReversedHex(block.header.hash)).toBe(v.hash);
      expect(block.txs).toHaveLength(v.txCount);
      expect(Buffer.compare(encodePayload({ command: 'block', block }), payload)).toBe(0);
    }
  });

  it('mutated and truncated blocks decode or throw DecodeError, nothing else', () => {
    const small = blocks.filter((v) => v.hex.length < 6000).map((v) => fromHex(v.hex));
    fc.assert(
      fc.property(fc.constantFrom(...small), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (raw, where, byte, truncate) => {
        const p = Uint8Array.from(raw);
        const at = where % p.length;
        if (truncate) onlyErrors(DecodeError, () => decodeMessage({ command: 'block', payload: p.subarray(0, at) }));
        else {
          p[at] ^= byte;
          onlyErrors(DecodeError, () => decodeMessage({ command: 'block', payload: p }));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('headers', () => {
  it('decodes the headers of the vector blocks with their hashes and re-encodes them', () => {
    const entries = blocks.map((v) => v.hex.slice(0, 160) + '00');
    const payload = fromHex(entries.length.toString(16).padStart(2, '0') + entries.join(''));
    const m = decode('headers', payload);
    expect(m.headers.map((h) => toReversedHex(h.hash))).toEqual(blocks.map((v) => v.hash));
    expect(toHex(encodePayload(m))).toBe(toHex(payload));
  });
});
