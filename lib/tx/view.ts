import { toHex, toReversedHex } from '../wire/hex.js';
import type { NetworkParams } from '../wire/network.js';
import { outputAddress } from './address.js';
import { classifyOutput, scriptAsm, type OutputType } from './script.js';
import type { DecodedTx, TxInput } from '../wire/model.js';

/** An input, as Esplora shows it (without `prevout`, which a P2P crawler does not have). */
export interface VinView {
  txid: string;
  vout: number;
  is_coinbase: boolean;
  scriptsig: string;
  scriptsig_asm: string;
  /** Absent when the input has no witness data, as in Esplora (an `Option` it skips when none). */
  witness?: string[];
  sequence: number;
  /** What it spends, in Esplora's shape: only on a line whose every input is known (tx lines' `fee`). */
  prevout?: VoutView;
}

export interface VoutView {
  scriptpubkey: string;
  scriptpubkey_asm: string;
  scriptpubkey_type: OutputType;
  /** Absent when the script has no address, as in Esplora. */
  scriptpubkey_address?: string;
  /**
   * Satoshis, as JSON.parse reads the line: a double, exact up to 2^53 (the 21M BTC supply is
   * 2.1 × 10^15, below it). txLine writes the exact digits of the 64-bit value, also above.
   */
  value: number;
}

export interface SeenView {
  /** The peer that delivered it, as host:port. */
  peer: string;
  /** When it arrived: unix seconds, millisecond precision. */
  time: number;
  /** The first announcement (inv) of it, from any peer. */
  first?: { peer: string; time: number };
  /** The last announcement before it arrived. */
  last?: { peer: string; time: number };
  /** How many peers announced it before it arrived. */
  peers?: number;
  /** `--emit unseen`: the block it arrived in, never announced to us. */
  block?: string;
}

/**
 * Esplora's `status` (electrs' TransactionStatus): `{confirmed: false}` for a transaction not in a
 * block; a confirmed one carries block_height (when known), block_hash and block_time as well.
 */
export interface TxStatus {
  confirmed: boolean;
  block_height?: number;
  block_hash?: string;
  block_time?: number;
}

/** A transaction relayed to us (tx message), so not yet in a block as far as we know. */
export const UNCONFIRMED: TxStatus = Object.freeze({ confirmed: false });

/** The transaction line: Esplora's transaction shape plus `event`, `wtxid`, `vsize`, `seen`, `hex`. */
export interface TxView {
  event: 'tx';
  txid: string;
  wtxid: string;
  version: number;
  locktime: number;
  vin: VinView[];
  vout: VoutView[];
  size: number;
  weight: number;
  vsize: number;
  /** Satoshis, Esplora's `fee`: only when every input's value is known (never a guess). */
  fee?: number;
  /** fee / vsize, sat/vB, to 3 decimals. */
  feerate?: number;
  /** mempool.space's effective feerate of a child: its ancestor package's (fees / vsizes), to 3 decimals. */
  effective_feerate?: number;
  /** Absent from `crawl decode`'s lines: a raw transaction alone does not say whether it is in a block. */
  status?: TxStatus;
  seen?: SeenView;
  hex?: string;
}

/** An output an input spends: its value (satoshis) and scriptPubKey (hex). */
export interface SpentOutput {
  readonly value: number;
  readonly script: string;
}

/** What a tx line says of its fee: given only when every input is known. */
export interface FeeInfo {
  readonly fee: number;
  /** One per input, in order. */
  readonly prevouts: readonly SpentOutput[];
  readonly effectiveFeerate?: number;
}

export interface TxViewExtra {
  readonly status?: TxStatus;
  readonly seen?: SeenView;
  readonly raw?: boolean;
  readonly fee?: FeeInfo;
}

const NULL_INDEX = 0xffffffff;

/** A coinbase input spends the null outpoint: all-zero txid, index 0xffffffff. */
export function isNullOutpoint(input: TxInput): boolean {
  if (input.prevIndex !== NULL_INDEX) return false;
  const h = input.prevTxid;
  for (let i = 0; i < 32; i++) if (h[i] !== 0) return false;
  return true;
}

/**
 * The ASM characters one transaction's fields may hold together, at most. A script's ASM is up to
 * 17 characters per byte (OP_INVALIDOPCODE for each 0xff), so a 4 MB transaction of such scripts
 * made a 68 MB line. Esplora prints ASM in full; so do we, up to this: a standard transaction
 * (at most 400 kB, MAX_STANDARD_TX_WEIGHT in policy.h) has ~3 characters of ASM per byte, well
 * within it. Past it, each field is cut at a whole token and ends `<truncated>` (just
 * `<truncated>` once nothing is left); the hex of every script is always printed whole.
 */
export const MAX_TX_ASM_CHARS = 4 * 1024 * 1024;

/** Hands out a transaction's ASM budget, field by field. */
class AsmBudget {
  private left = MAX_TX_ASM_CHARS;
  asm(script: Uint8Array): string {
    const s = scriptAsm(script, this.left);
    this.left = Math.max(0, this.left - s.length);
    return s;
  }
}

function vinView(input: TxInput, budget: AsmBudget): VinView {
  const txid = toReversedHex(input.prevTxid);
  const is_coinbase = isNullOutpoint(input);
  const scriptsig = toHex(input.scriptSig);
  const scriptsig_asm = budget.asm(input.scriptSig);
  const n = input.witness.length;
  if (n === 0) return { txid, vout: input.prevIndex, is_coinbase, scriptsig, scriptsig_asm, sequence: input.sequence };
  const witness = new Array<string>(n);
  for (let i = 0; i < n; i++) witness[i] = toHex(input.witness[i]);
  return { txid, vout: input.prevIndex, is_coinbase, scriptsig, scriptsig_asm, witness, sequence: input.sequence };
}

function voutView(script: Uint8Array, scriptpubkey: string, value: number, net: NetworkParams, budget: AsmBudget): VoutView {
  const scriptpubkey_asm = budget.asm(script);
  const scriptpubkey_type = classifyOutput(script);
  const scriptpubkey_address = outputAddress(script, net);
  return scriptpubkey_address === undefined
    ? { scriptpubkey, scriptpubkey_asm, scriptpubkey_type, value }
    : { scriptpubkey, scriptpubkey_asm, scriptpubkey_type, scriptpubkey_address, value };
}

/** sat/vB to 3 decimals. */
export const rate3 = (x: number): number => Math.round(x * 1000) / 1000;

export function txView(tx: DecodedTx, net: NetworkParams, extra: TxViewExtra = {}): TxView {
  const budget = new AsmBudget();
  const vin = new Array<VinView>(tx.inputs.length);
  const fee = extra.fee;
  for (let i = 0; i < vin.length; i++) {
    vin[i] = vinView(tx.inputs[i], budget);
    const p = fee?.prevouts[i];
    if (p !== undefined) vin[i].prevout = voutView(Buffer.from(p.script, 'hex'), p.script, p.value, net, budget);
  }
  const vout = new Array<VoutView>(tx.outputs.length);
  for (let i = 0; i < vout.length; i++) {
    const { script, value } = tx.outputs[i];
    vout[i] = voutView(script, toHex(script), Number(value), net, budget);
  }
  const view: TxView = {
    event: 'tx',
    txid: toReversedHex(tx.txid),
    wtxid: toReversedHex(tx.wtxid),
    version: tx.version,
    locktime: tx.locktime,
    vin,
    vout,
    size: tx.size,
    weight: tx.weight,
    vsize: tx.vsize,
  };
  if (fee !== undefined) {
    view.fee = fee.fee;
    view.feerate = rate3(fee.fee / tx.vsize);
    if (fee.effectiveFeerate !== undefined) view.effective_feerate = rate3(fee.effectiveFeerate);
  }
  if (extra.status) view.status = extra.status;
  if (extra.seen) view.seen = extra.seen;
  if (extra.raw) view.hex = toHex(tx.raw);
  return view;
}

/**
 * One NDJSON line (no newline): exactly `JSON.stringify(txView(tx, net, extra))`, written out.
 *
 * JSON.stringify was the largest single cost of `crawl decode` (3.5 µs of a ~15 µs line): it
 * scans every character of the ~1.5 kB of strings for ones that need escaping, and none can.
 * The strings we make ourselves are hex, opcode names and `<…>` markers, type names and base58
 * text; the rest (the address, whose bech32 prefix comes from the network parameters, and
 * `seen`, whose peer names come from outside) still go through JSON.stringify. Numbers print as
 * JSON prints them (String(n) for finite numbers; all of ours are), except output values: they
 * are written from the bigint, digit for digit, where JSON.stringify of the view would round a
 * (consensus-invalid, but well-formed) value above 2^53. Keys are in TxView's order;
 * spec/tx/view-json.spec.ts checks this against JSON.stringify on every vector — a field added
 * to TxView must be added here too.
 */
export function txLine(tx: DecodedTx, net: NetworkParams, extra: TxViewExtra = {}): string {
  const t = txView(tx, net, extra);
  let s = `{"event":"tx","txid":"${t.txid}","wtxid":"${t.wtxid}","version":${t.version},"locktime":${t.locktime},"vin":[`;
  for (let i = 0; i < t.vin.length; i++) {
    const x = t.vin[i];
    if (i > 0) s += ',';
    s += `{"txid":"${x.txid}","vout":${x.vout},"is_coinbase":${x.is_coinbase},"scriptsig":"${x.scriptsig}","scriptsig_asm":"${x.scriptsig_asm}"`;
    const w = x.witness;
    if (w !== undefined) {
      s += ',"witness":[';
      for (let j = 0; j < w.length; j++) s += j > 0 ? `,"${w[j]}"` : `"${w[j]}"`;
      s += ']';
    }
    s += `,"sequence":${x.sequence}`;
    s += x.prevout === undefined ? '}' : `,"prevout":${JSON.stringify(x.prevout)}}`;
  }
  s += '],"vout":[';
  for (let i = 0; i < t.vout.length; i++) {
    const o = t.vout[i];
    if (i > 0) s += ',';
    s += `{"scriptpubkey":"${o.scriptpubkey}","scriptpubkey_asm":"${o.scriptpubkey_asm}","scriptpubkey_type":"${o.scriptpubkey_type}"`;
    if (o.scriptpubkey_address !== undefined) s += `,"scriptpubkey_address":${JSON.stringify(o.scriptpubkey_address)}`;
    s += `,"value":${tx.outputs[i].value}}`;
  }
  s += `],"size":${t.size},"weight":${t.weight},"vsize":${t.vsize}`;
  if (t.fee !== undefined) s += `,"fee":${t.fee},"feerate":${t.feerate}`;
  if (t.effective_feerate !== undefined) s += `,"effective_feerate":${t.effective_feerate}`;
  if (t.status !== undefined) s += `,"status":${JSON.stringify(t.status)}`;
  if (t.seen !== undefined) s += `,"seen":${JSON.stringify(t.seen)}`;
  if (t.hex !== undefined) s += `,"hex":"${t.hex}"`;
  return s + '}';
}
