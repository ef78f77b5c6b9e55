/** Core's CheckTransaction: what makes a transaction invalid whatever its context, with Core's reasons. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkTransaction, isCoinbase, MAX_MONEY } from '../../lib/tx/check.js';
import { decodeBlock } from '../../lib/wire/block.js';
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import { fromHex } from '../../lib/wire/hex.js';
import type { DecodedTx, Transaction } from '../../lib/wire/model.js';
import { readVectors, type BlockVector } from '../support/vectors.js';
import { arbCheckInputs, arbCheckOutputs, fundingTxid, mkTx } from '../support/mempool-txs.js';

const tx = (t: Partial<Transaction>): DecodedTx => {
  const base = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1000] });
  return decodeTx(encodeTx({ version: 2, inputs: base.inputs, outputs: base.outputs, locktime: 0, ...t }));
};
const out = (value: bigint) => ({ value, script: Uint8Array.of(0x51) });

describe('checkTransaction', () => {
  it('passes every transaction of the real blocks, their coinbases too', () => {
    let n = 0;
    for (const v of readVectors<BlockVector>('blocks.ndjson')) {
      const { txs } = decodeBlock(fromHex(v.hex));
      expect(isCoinbase(txs[0]), v.hash).toBe(true);
      for (const t of txs) expect(checkTransaction(t)).toBeUndefined();
      n += txs.length;
    }
    expect(n).toBeGreaterThan(100);
  });

  it('gives Core\'s reason for each thing it refuses', () => {
    const null32 = new Uint8Array(32);
    const input = (prevTxid: Uint8Array, prevIndex: number, scriptSig = new Uint8Array(0)) => ({ prevTxid, prevIndex, scriptSig, sequence: 0xffffffff, witness: [] });
    const valid = tx({});
    expect(checkTransaction(valid)).toBeUndefined();
    expect(checkTransaction({ ...valid, inputs: [] })).toBe('bad-txns-vin-empty');
    expect(checkTransaction(tx({ outputs: [] }))).toBe('bad-txns-vout-empty');
    // 1,000,001 bytes without witness: past MAX_BLOCK_WEIGHT / 4. 999,900 is not.
    expect(checkTransaction(tx({ outputs: [{ value: 1n, script: new Uint8Array(1_000_001) }] }))).toBe('bad-txns-oversize');
    expect(checkTransaction(tx({ outputs: [{ value: 1n, script: new Uint8Array(999_900) }] }))).toBeUndefined();
    expect(checkTransaction(tx({ outputs: [out(1n << 63n)] }))).toBe('bad-txns-vout-negative');
    expect(checkTransaction(tx({ outputs: [out((1n << 64n) - 1n)] }))).toBe('bad-txns-vout-negative');
    expect(checkTransaction(tx({ outputs: [out(MAX_MONEY + 1n)] }))).toBe('bad-txns-vout-toolarge');
    expect(checkTransaction(tx({ outputs: [out(MAX_MONEY)] }))).toBeUndefined();
    expect(checkTransaction(tx({ outputs: [out(MAX_MONEY), out(1n)] }))).toBe('bad-txns-txouttotal-toolarge');
    expect(checkTransaction(tx({ inputs: [input(fundingTxid(1), 0), input(fundingTxid(1), 0)] }))).toBe('bad-txns-inputs-duplicate');
    // A coinbase: its scriptSig 2 to 100 bytes.
    expect(checkTransaction(tx({ inputs: [input(null32, 0xffffffff)] }))).toBe('bad-cb-length');
    expect(checkTransaction(tx({ inputs: [input(null32, 0xffffffff, new Uint8Array(2))] }))).toBeUndefined();
    expect(checkTransaction(tx({ inputs: [input(null32, 0xffffffff, new Uint8Array(100))] }))).toBeUndefined();
    expect(checkTransaction(tx({ inputs: [input(null32, 0xffffffff, new Uint8Array(101))] }))).toBe('bad-cb-length');
    expect(checkTransaction(tx({ inputs: [input(fundingTxid(1), 0), input(null32, 0xffffffff)] }))).toBe('bad-txns-prevout-null');
    // Half null is no null outpoint.
    expect(checkTransaction(tx({ inputs: [input(null32, 0)] }))).toBeUndefined();
    expect(checkTransaction(tx({ inputs: [input(fundingTxid(1), 0xffffffff)] }))).toBeUndefined();
  });

  it('never throws, and refuses exactly what has a reason, for any well-formed transaction', () => {
    fc.assert(
      fc.property(arbCheckInputs(), arbCheckOutputs(1), (inputs, outputs) => {
        const t = decodeTx(encodeTx({ version: 2, inputs, outputs, locktime: 0 }));
        const reason = checkTransaction(t);
        const keys = inputs.map((i) => `${i.prevTxid.join(',')}:${i.prevIndex}`);
        const nulls = inputs.filter((i) => i.prevIndex === 0xffffffff && i.prevTxid.every((b) => b === 0)).length;
        let total = 0n;
        const badValue = outputs.some((o) => o.value > MAX_MONEY || (total += o.value) > MAX_MONEY);
        expect(reason !== undefined).toBe(badValue || new Set(keys).size < keys.length || nulls > 0);
      }),
    );
  });
});
