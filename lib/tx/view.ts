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
  /** Always an array (empty without witness), so jq filters need no null checks. */
  witness: string[];
  sequence: number;
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
}

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
  seen?: SeenView;
  hex?: string;
}

export interface TxViewExtra {
  readonly seen?: SeenView;
  readonly raw?: boolean;
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
  const witness = new Array<string>(input.witness.length);
  for (let i = 0; i < witness.length; i++) witness[i] = toHex(input.witness[i]);
  return {
    txid: toReversedHex(input.prevTxid),
    vout: input.prevIndex,
    is_coinbase: isNullOutpoint(input),
    scriptsig: toHex(input.scriptSig),
    scriptsig_asm: budget.asm(input.scriptSig),
    witness,
    sequence: input.sequence,
  };
}

export function txView(tx: DecodedTx, net: NetworkParams, extra: TxViewExtra = {}): TxView {
  const budget = new AsmBudget();
  const vin = new Array<VinView>(tx.inputs.length);
  for (let i = 0; i < vin.length; i++) vin[i] = vinView(tx.inputs[i], budget);
  const vout = new Array<VoutView>(tx.outputs.length);
  for (let i = 0; i < vout.length; i++) {
    const { script, value } = tx.outputs[i];
    const scriptpubkey = toHex(script);
    const scriptpubkey_asm = budget.asm(script);
    const scriptpubkey_type = classifyOutput(script);
    const scriptpubkey_address = outputAddress(script, net);
    vout[i] =
      scriptpubkey_address === undefined
        ? { scriptpubkey, scriptpubkey_asm, scriptpubkey_type, value: Number(value) }
        : { scriptpubkey, scriptpubkey_asm, scriptpubkey_type, scriptpubkey_address, value: Number(value) };
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
    s += `{"txid":"${x.txid}","vout":${x.vout},"is_coinbase":${x.is_coinbase},"scriptsig":"${x.scriptsig}","scriptsig_asm":"${x.scriptsig_asm}","witness":[`;
    for (let j = 0; j < x.witness.length; j++) s += j > 0 ? `,"${x.witness[j]}"` : `"${x.witness[j]}"`;
    s += `],"sequence":${x.sequence}}`;
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
  if (t.seen !== undefined) s += `,"seen":${JSON.stringify(t.seen)}`;
  if (t.hex !== undefined) s += `,"hex":"${t.hex}"`;
  return s + '}';
}
