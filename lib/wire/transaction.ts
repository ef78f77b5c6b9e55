import { DecodeError } from './errors.js';
import { sha256d, sha256dParts } from './hash.js';
import { MAX_COMPACT_SIZE } from './limits.js';
import { ByteReader } from './reader.js';
import { ByteWriter } from './writer.js';
import type { DecodedTx, Transaction, TxInput, TxOutput } from './model.js';

/** Smallest serialized input: outpoint 36 + script length 1 + sequence 4. */
const MIN_INPUT_BYTES = 41;
/** Smallest serialized output: value 8 + script length 1. */
const MIN_OUTPUT_BYTES = 9;
/** Smallest witness item: its length byte. */
const MIN_WITNESS_ITEM_BYTES = 1;
/** BIP 144 flag: the only one defined. */
const WITNESS_FLAG = 1;

const NO_WITNESS: readonly Uint8Array[] = Object.freeze([]);

function readInputs(r: ByteReader, n: number): TxInput[] {
  const inputs: TxInput[] = new Array<TxInput>(n);
  for (let i = 0; i < n; i++) {
    const prevTxid = r.hash('outpoint txid');
    const prevIndex = r.u32le('outpoint index');
    const scriptSig = r.varBytes(MAX_COMPACT_SIZE, 'scriptSig');
    const sequence = r.u32le('sequence');
    inputs[i] = { prevTxid, prevIndex, scriptSig, sequence, witness: NO_WITNESS };
  }
  return inputs;
}

function readOutputs(r: ByteReader): TxOutput[] {
  const n = r.count(MIN_OUTPUT_BYTES, MAX_COMPACT_SIZE, 'outputs');
  const outputs: TxOutput[] = new Array<TxOutput>(n);
  for (let i = 0; i < n; i++) {
    const value = r.u64le('output value');
    outputs[i] = { value, script: r.varBytes(MAX_COMPACT_SIZE, 'scriptPubKey') };
  }
  return outputs;
}

function readWitness(r: ByteReader): readonly Uint8Array[] {
  const n = r.count(MIN_WITNESS_ITEM_BYTES, MAX_COMPACT_SIZE, 'witness items');
  if (n === 0) return NO_WITNESS;
  const items = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) items[i] = r.varBytes(MAX_COMPACT_SIZE, 'witness item');
  return items;
}

/**
 * Reads one transaction from the reader's position, as Bitcoin Core's witness-aware
 * UnserializeTransaction does (primitives/transaction.h): a 0x00 input count is the BIP 144
 * marker, the next byte the flag; flag 0 means "no inputs, no outputs", flag 1 witness data,
 * anything else is "unknown optional data"; a witness section with every stack empty is a
 * "superfluous witness record". So a legacy transaction with zero inputs cannot be read.
 */
export function readTx(r: ByteReader): DecodedTx {
  const data = r.data;
  const start = r.offset;
  const version = r.u32le('version');
  let inputCount = r.count(MIN_INPUT_BYTES, MAX_COMPACT_SIZE, 'inputs');
  let inputs: TxInput[];
  let outputs: TxOutput[];
  let segwit = false;
  let baseStart = r.offset;
  if (inputCount === 0) {
    const flag = r.u8('segwit flag');
    baseStart = r.offset;
    if (flag === 0) {
      inputs = [];
      outputs = [];
    } else if (flag !== WITNESS_FLAG) {
      throw new DecodeError(`unknown transaction optional data (segwit flag ${flag})`, baseStart - 1);
    } else {
      segwit = true;
      inputCount = r.count(MIN_INPUT_BYTES, MAX_COMPACT_SIZE, 'inputs');
      inputs = readInputs(r, inputCount);
      outputs = readOutputs(r);
    }
  } else {
    inputs = readInputs(r, inputCount);
    outputs = readOutputs(r);
  }
  const baseEnd = r.offset;
  if (segwit) {
    let any = false;
    for (let i = 0; i < inputs.length; i++) {
      const witness = readWitness(r);
      if (witness.length > 0) {
        any = true;
        inputs[i] = { ...inputs[i], witness };
      }
    }
    if (!any) throw new DecodeError('superfluous witness record (every witness is empty)', baseEnd);
  }
  const lockStart = r.offset;
  const locktime = r.u32le('locktime');
  const end = r.offset;
  const raw = data.subarray(start, end);
  const size = end - start;
  let txid: Uint8Array;
  let wtxid: Uint8Array;
  let baseSize = size;
  if (segwit) {
    // txid commits to the serialization without marker, flag and witness: hash the slices.
    txid = sha256dParts([data.subarray(start, start + 4), data.subarray(baseStart, baseEnd), data.subarray(lockStart, end)]);
    wtxid = sha256d(raw);
    baseSize = 4 + (baseEnd - baseStart) + 4;
  } else {
    txid = wtxid = sha256d(raw);
  }
  const weight = baseSize * 3 + size;
  return { version, inputs, outputs, locktime, raw, segwit, txid, wtxid, size, weight, vsize: Math.ceil(weight / 4) };
}

/** One whole transaction; anything after it is an error. */
export function decodeTx(bytes: Uint8Array): DecodedTx {
  const r = new ByteReader(bytes);
  const tx = readTx(r);
  r.finish('transaction');
  return tx;
}

/** Core serializes a transaction with witness data when any input has some (CTransaction::HasWitness). */
export function hasWitness(tx: Transaction): boolean {
  for (const input of tx.inputs) if (input.witness.length > 0) return true;
  return false;
}

/** BIP 144 serialization when `withWitness` and some input has witness data; legacy otherwise. */
export function writeTx(tx: Transaction, w: ByteWriter, withWitness: boolean): void {
  const segwit = withWitness && hasWitness(tx);
  w.u32le(tx.version);
  if (segwit) w.u8(0).u8(WITNESS_FLAG);
  w.compactSize(tx.inputs.length);
  for (const i of tx.inputs) w.bytes(i.prevTxid).u32le(i.prevIndex).varBytes(i.scriptSig).u32le(i.sequence);
  w.compactSize(tx.outputs.length);
  for (const o of tx.outputs) w.u64le(o.value).varBytes(o.script);
  if (segwit) {
    for (const i of tx.inputs) {
      w.compactSize(i.witness.length);
      for (const item of i.witness) w.varBytes(item);
    }
  }
  w.u32le(tx.locktime);
}

export function encodeTx(tx: Transaction, withWitness = true): Uint8Array {
  const w = new ByteWriter(256);
  writeTx(tx, w, withWitness);
  return w.finish();
}
