/** Small made-up transactions for the mempool view's tests: inputs by (parent, index), P2WPKH outputs of given values. */
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { sha256d } from '../../lib/wire/hash.js';
import { MAX_MONEY } from '../../lib/tx/check.js';
import fc from 'fast-check';

/** A parent: a transaction, or a 32-byte txid of one the view never saw (a confirmed output). */
export type Parent = DecodedTx | Uint8Array;

export interface TxSpec {
  readonly ins: readonly (readonly [Parent, number])[];
  /** Output values, satoshis. */
  readonly outs: readonly number[];
  /** Every input's nSequence: 0xfffffffd signals BIP 125, 0xffffffff (the default) does not. */
  readonly sequence?: number;
  /** Makes otherwise equal transactions distinct. */
  readonly tag?: number;
  /** 2 unless given (3: TRUC, BIP 431). */
  readonly version?: number;
}

/** A txid no transaction has: the confirmed outputs tests spend. */
export function fundingTxid(n: number): Uint8Array {
  return sha256d(new TextEncoder().encode(`funding ${n}`));
}

export function mkTx(spec: TxSpec): DecodedTx {
  return decodeTx(
    encodeTx({
      version: spec.version ?? 2,
      inputs: spec.ins.map(([p, i]) => ({ prevTxid: p instanceof Uint8Array ? p : p.txid, prevIndex: i, scriptSig: new Uint8Array(0), sequence: spec.sequence ?? 0xffffffff, witness: [new Uint8Array(71), new Uint8Array(33)] })),
      outputs: spec.outs.map((v, i) => ({ value: BigInt(v), script: Uint8Array.of(0, 20, ...new Array<number>(19).fill(i), spec.tag ?? 0) })),
      locktime: 0,
    }),
  );
}

/** A coinbase paying `value`, distinct per `height`. */
export function mkCoinbase(height: number, value = 5_000_000_000): DecodedTx {
  return decodeTx(
    encodeTx({
      version: 2,
      inputs: [{ prevTxid: new Uint8Array(32), prevIndex: 0xffffffff, scriptSig: Uint8Array.of(3, height & 0xff, (height >> 8) & 0xff, height >> 16), sequence: 0xffffffff, witness: [] }],
      outputs: [{ value: BigInt(value), script: Uint8Array.of(0x6a) }],
      locktime: 0,
    }),
  );
}

/**
 * Inputs for properties about CheckTransaction (1 to 12): null outpoints and outpoints repeated,
 * each with one of `scriptSigs` (a coinbase's must be 2 to 100 bytes).
 */
export const arbCheckInputs = (scriptSigs: Uint8Array[] = [new Uint8Array(0)]) =>
  fc.array(
    fc.record({
      prevTxid: fc.oneof(fc.constant(new Uint8Array(32)), fc.constantFrom(...[1, 2, 3].map(fundingTxid))),
      prevIndex: fc.constantFrom(0, 1, 0xffffffff),
      scriptSig: fc.constantFrom(...scriptSigs),
      sequence: fc.constant(0xffffffff),
      witness: fc.constant([] as Uint8Array[]),
    }),
    { minLength: 1, maxLength: 12 },
  );

/** Outputs for the same (`minLength` to 4): values small, around MAX_MONEY, and up to 2^64 − 1 (negative to Core past 2^63). */
export const arbCheckOutputs = (minLength: number) =>
  fc.array(fc.record({ value: fc.oneof(fc.bigInt(0n, 10n), fc.bigInt(MAX_MONEY - 1n, MAX_MONEY + 1n), fc.bigInt(0n, (1n << 64n) - 1n)), script: fc.constant(Uint8Array.of(0x51)) }), { minLength, maxLength: 4 });
