/** Small made-up transactions for the mempool view's tests: inputs by (parent, index), P2WPKH outputs of given values. */
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { sha256d } from '../../lib/wire/hash.js';

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
