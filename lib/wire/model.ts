/**
 * The transaction and block model. It lives in the leaf with its serialization (transaction.ts,
 * block.ts), as btcd keeps MsgTx in `wire`: the tx, block and headers codecs and the message union
 * need nothing from above, and lib/tx builds on it (views, scripts, addresses, proof of work). Hashes are 32-byte Uint8Arrays in internal (wire) byte
 * order; they are shown reversed. Scripts and witness items are views into the decoded bytes.
 */
export interface TxInput {
  readonly prevTxid: Uint8Array;
  readonly prevIndex: number;
  readonly scriptSig: Uint8Array;
  readonly sequence: number;
  /** Witness stack items; empty for inputs without witness and for legacy transactions. */
  readonly witness: readonly Uint8Array[];
}

export interface TxOutput {
  /** Satoshis. bigint because a (consensus-invalid but well-formed) value may exceed 2^53. */
  readonly value: bigint;
  readonly script: Uint8Array;
}

export interface Transaction {
  /** Unsigned 32-bit, as Bitcoin Core reads it since v29 (int32 before; equal for 0–2^31). */
  readonly version: number;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  readonly locktime: number;
}

/** A transaction as decoded from bytes, with its identifiers and sizes. */
export interface DecodedTx extends Transaction {
  /** The exact bytes it was decoded from. */
  readonly raw: Uint8Array;
  /** True when serialized with the BIP 144 marker and flag. */
  readonly segwit: boolean;
  readonly txid: Uint8Array;
  readonly wtxid: Uint8Array;
  /** Total serialized size in bytes (with witness). */
  readonly size: number;
  /** BIP 141 weight: base size × 3 + total size. */
  readonly weight: number;
  /** ceil(weight / 4). */
  readonly vsize: number;
}

export interface BlockHeader {
  readonly version: number;
  readonly prevBlock: Uint8Array;
  readonly merkleRoot: Uint8Array;
  readonly time: number;
  readonly bits: number;
  readonly nonce: number;
  /** SHA-256d of the 80 header bytes. */
  readonly hash: Uint8Array;
}

export interface Block {
  readonly header: BlockHeader;
  readonly txs: readonly DecodedTx[];
  readonly raw: Uint8Array;
  readonly size: number;
  /** Size without witness data. */
  readonly strippedSize: number;
  readonly weight: number;
}
