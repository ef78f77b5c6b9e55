/**
 * Decode benchmark: the whole `crawl decode` job, done by bitcrawl, bitcoinjs-lib and
 * @scure/btc-signer on the same input, in one run.
 *
 *   npm run bench:decode            (node --import tsx scripts/bench-decode.ts)
 *   npm run bench:decode -- --rounds 9 --lines 20000
 *   npm run bench:decode -- --baseline DIR    this tree's bitcrawl against the one in DIR (another
 *                                              checkout, e.g. `git archive <commit> lib | tar -x -C DIR`),
 *                                              rounds alternating in one process; no other libraries
 *
 * Input: the shared vectors' transactions of typical size (≤ 2,000 bytes), their hex repeated in
 * order until there are 20,000 lines. Each library does, per line:
 *
 *   hex → bytes → transaction → txid, wtxid, size, weight, vsize; per input the outpoint, coinbase
 *   flag, scriptSig hex and ASM, witness hex, sequence; per output the script hex and ASM, its type
 *   and address (mainnet), the value; → one Esplora-shaped JSON line (the shape of lib/tx/view.ts,
 *   same keys in the same order).
 *
 * The three jobs are measured in rounds: a warm-up (not counted), then several rounds in which the
 * order of the libraries rotates, so that none always runs first or after the same neighbour. Each
 * library's figure is the median of its rounds. A second comparison, "bare decode with ids", times
 * only hex → transaction → txid string.
 *
 * Before timing, every library's output for each distinct vector is checked against the vectors'
 * known answers (txid, wtxid, size, weight, vsize) and against bitcrawl's output types and
 * addresses, so that the jobs are known to do the same work; differences are printed, not hidden.
 *
 * Where the jobs differ (none of it changes the amount of work much):
 *  - ASM: bitcrawl writes Esplora's format (OP_PUSHBYTES_n <hex>, rust-bitcoin's names),
 *    bitcoinjs its own `script.toASM` (pushes as bare hex, minimal pushes as OP_n), scure an
 *    ASM-like join of `Script.decode` (its own opcode names). An unparseable script throws in
 *    bitcoinjs and scure (we write "<invalid>"); bitcrawl renders it up to the break.
 *  - Types: bitcoinjs has no anchor type, scure none for op_return (we test the first byte, as a
 *    user would); neither has electrs' `empty`, nor gives witness v2+ outputs an address. Both
 *    look at the keys of a bare multisig (scure wants curve points), which electrs, and so
 *    bitcrawl, does not. bitcoinjs needs an ECC library for P2TR (see nobleEccForBitcoinjs).
 *  - wtxid: bitcoinjs's getHash(true) is all zeros for a coinbase, so the bitcoinjs job hashes the
 *    serialization then; scure has no wtxid, so its job hashes toBytes(true, true) (a re-encode).
 *  - size: scure has no size getter; its job takes the input's length.
 *  - Hex: the bitcoinjs and scure jobs turn bytes into hex with the same Buffer view that bitcrawl
 *    uses (the fastest there is in Node), so hex encoding does not decide the comparison. Input
 *    hex: bitcoinjs uses its own `Transaction.fromHex`, scure gets `Buffer.from(hex, 'hex')`,
 *    bitcrawl its strict `fromHex` (which also validates the digits).
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as bitcoin from 'bitcoinjs-lib';
import * as btc from '@scure/btc-signer';
import { sha256 } from '@noble/hashes/sha2.js';
// Not a direct dependency: @scure/btc-signer brings it. Only the bitcoinjs job needs it (below).
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { decodeTx } from '../lib/wire/transaction.js';
import { txLine, type TxView, type VinView, type VoutView } from '../lib/tx/view.js';
import type { OutputType } from '../lib/tx/script.js';
import { fromHex, toReversedHex } from '../lib/wire/hex.js';
import { NETWORKS } from '../lib/wire/network.js';
import { typicalTxVectors, type TxVector } from '../spec/support/vectors.js';
import { median } from '../spec/support/stats.js';

const { values: opts } = parseArgs({
  options: {
    lines: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    /** Warm-up lines per library before the timed rounds (enough for the JIT to settle). */
    warmup: { type: 'string', default: '10000' },
    baseline: { type: 'string' },
  },
});
const LINES = Number(opts.lines);
const ROUNDS = Number(opts.rounds);
const WARMUP = Number(opts.warmup);

const NET = NETWORKS.mainnet;
const BJS_NET = bitcoin.networks.bitcoin;
const SCURE_NET = btc.NETWORK;

// ---------------------------------------------------------------------------------------------
// Shared helpers (used by the bitcoinjs and scure jobs; bitcrawl has its own in lib/wire/hex.ts)

function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function reversedHexOf(b: Uint8Array): string {
  return Buffer.from(b).reverse().toString('hex');
}

const NULL_INDEX = 0xffffffff;

// ---------------------------------------------------------------------------------------------
// (a) bitcrawl: exactly what runDecode (lib/cli/decode.ts) does per line, minus the output stream.

function bitcrawlLine(hex: string): string {
  return txLine(decodeTx(fromHex(hex)), NET);
}

function bitcrawlBare(hex: string): string {
  // decodeTx computes txid and wtxid (and sizes) eagerly; the others below compute only the txid.
  return toReversedHex(decodeTx(fromHex(hex)).txid);
}

// ---------------------------------------------------------------------------------------------
// (b) bitcoinjs-lib 7

/**
 * bitcoinjs refuses P2TR outputs until it is given an ECC library (it checks that the output key
 * is a curve point, BIP 340 lift_x). Users plug in tiny-secp256k1 (WebAssembly), which is not
 * installed here, so this adapter is pure JS over @noble/curves: about 170 µs per P2TR output.
 * The vectors have 8 P2TR outputs in 131 transactions, so it is ~5% of the bitcoinjs job (a
 * faster ECC library would make bitcoinjs that much faster; the ratio below would shrink by ~5%).
 */
function nobleEccForBitcoinjs(): Parameters<typeof bitcoin.initEccLib>[0] {
  const { Point } = secp256k1;
  const toBig = (b: Uint8Array): bigint => BigInt(`0x${hexOf(b) || '0'}`);
  const lift = (x: Uint8Array): ReturnType<typeof schnorr.utils.lift_x> | undefined => {
    try {
      return schnorr.utils.lift_x(toBig(x));
    } catch {
      return undefined;
    }
  };
  return {
    isXOnlyPoint: (p: Uint8Array) => p.length === 32 && lift(p) !== undefined,
    xOnlyPointAddTweak: (p: Uint8Array, tweak: Uint8Array) => {
      const P = lift(p);
      const t = toBig(tweak);
      if (P === undefined || t >= Point.Fn.ORDER) return null;
      const Q = t === 0n ? P : P.add(Point.BASE.multiply(t));
      if (Q.equals(Point.ZERO)) return null;
      return { parity: (Q.y & 1n) === 1n ? 1 : 0, xOnlyPubkey: Q.toBytes(true).subarray(1) };
    },
  };
}
bitcoin.initEccLib(nobleEccForBitcoinjs());

type BjsPayment = (a: bitcoin.Payment, opts?: bitcoin.PaymentOpts) => bitcoin.Payment;

/**
 * Output type and address as a bitcoinjs user finds them: try each payment type on the script in
 * try/catch (address.fromOutputScript does the same internally for the address-bearing ones).
 * The first that accepts the script gives the type, and its lazy `.address` the address. One pass
 * for both is cheaper than classify-then-fromOutputScript, so this is the kind reading of it.
 */
const BJS_TYPES: readonly [OutputType, BjsPayment, boolean][] = [
  ['p2pkh', bitcoin.payments.p2pkh, true],
  ['p2sh', bitcoin.payments.p2sh, true],
  ['v0_p2wpkh', bitcoin.payments.p2wpkh, true],
  ['v0_p2wsh', bitcoin.payments.p2wsh, true],
  ['v1_p2tr', bitcoin.payments.p2tr, true],
  ['p2pk', bitcoin.payments.p2pk, false],
  ['multisig', bitcoin.payments.p2ms, false],
  ['op_return', bitcoin.payments.embed, false],
];

function bjsOutputType(output: Uint8Array): { type: OutputType; address?: string } {
  for (const [type, payment, hasAddress] of BJS_TYPES) {
    try {
      const p = payment({ output, network: BJS_NET });
      return hasAddress ? { type, address: p.address } : { type };
    } catch {
      // not this type
    }
  }
  return { type: 'unknown' };
}

function bjsAsm(script: Uint8Array): string {
  try {
    return bitcoin.script.toASM(script);
  } catch {
    return '<invalid>';
  }
}

function bjsLine(hex: string): string {
  const tx = bitcoin.Transaction.fromHex(hex);
  // getHash(true) gives all zeros for a coinbase (its value inside the witness commitment); the
  // identifier users want (and the vectors hold) is the hash of the full serialization.
  const wtxid = tx.isCoinbase() ? reversedHexOf(bitcoin.crypto.hash256(tx.toBuffer())) : reversedHexOf(tx.getHash(true));
  const vin: VinView[] = tx.ins.map((i) => ({
    txid: reversedHexOf(i.hash),
    vout: i.index,
    is_coinbase: i.index === NULL_INDEX && bitcoin.Transaction.isCoinbaseHash(i.hash),
    scriptsig: hexOf(i.script),
    scriptsig_asm: bjsAsm(i.script),
    witness: i.witness.map(hexOf),
    sequence: i.sequence,
  }));
  const vout: VoutView[] = tx.outs.map((o) => {
    const { type, address } = bjsOutputType(o.script);
    const v: VoutView = { scriptpubkey: hexOf(o.script), scriptpubkey_asm: bjsAsm(o.script), scriptpubkey_type: type, value: Number(o.value) };
    if (address !== undefined) v.scriptpubkey_address = address;
    return v;
  });
  const view: TxView = {
    event: 'tx',
    txid: tx.getId(),
    wtxid,
    version: tx.version,
    locktime: tx.locktime,
    vin,
    vout,
    size: tx.byteLength(),
    weight: tx.weight(),
    vsize: tx.virtualSize(),
  };
  return JSON.stringify(view);
}

function bjsBare(hex: string): string {
  return bitcoin.Transaction.fromHex(hex).getId();
}

// ---------------------------------------------------------------------------------------------
// (c) @scure/btc-signer 2

/** Lenient enough to read every transaction the network relays (and the vectors hold). */
const SCURE_OPTS: btc.TxOpts = {
  allowUnknownOutputs: true,
  allowUnknownInputs: true,
  allowUnknownVersion: true,
  disableScriptCheck: true,
  allowLegacyWitnessUtxo: true,
};

const SCURE_TYPES: Readonly<Record<string, OutputType>> = {
  pkh: 'p2pkh',
  sh: 'p2sh',
  wpkh: 'v0_p2wpkh',
  wsh: 'v0_p2wsh',
  tr: 'v1_p2tr',
  tr_ns: 'v1_p2tr',
  tr_ms: 'v1_p2tr',
  p2a: 'anchor',
  pk: 'p2pk',
  ms: 'multisig',
};
const SCURE_ADDRESS = btc.Address(SCURE_NET);

/** scure checks that multisig keys are curve points, so "data in fake keys" outputs are unknown to it. */
function scureOutputType(script: Uint8Array): { type: OutputType; address?: string } {
  const decoded = scureDecodeOutput(script);
  const type = decoded && SCURE_TYPES[decoded.type];
  if (decoded === undefined || type === undefined) return { type: script[0] === 0x6a ? 'op_return' : 'unknown' };
  try {
    return { type, address: SCURE_ADDRESS.encode(decoded) };
  } catch {
    return { type };
  }
}

function scureDecodeOutput(script: Uint8Array) {
  try {
    return btc.OutScript.decode(script);
  } catch {
    return undefined;
  }
}

/** An ASM-like text from scure's script decoder (its names, not Esplora's). */
function scureAsm(script: Uint8Array | undefined): string {
  if (script === undefined || script.length === 0) return '';
  try {
    return btc.Script.decode(script)
      .map((op) => (typeof op === 'string' ? `OP_${op}` : typeof op === 'number' ? `OP_${op}` : hexOf(op)))
      .join(' ');
  } catch {
    return '<invalid>';
  }
}

const EMPTY = new Uint8Array(0);

function scureLine(hex: string): string {
  const raw = Buffer.from(hex, 'hex');
  const tx = btc.Transaction.fromRaw(raw, SCURE_OPTS);
  // scure's `hash` is the txid in internal order; the wtxid is the hash of the full serialization.
  const wtxid = reversedHexOf(sha256(sha256(tx.toBytes(true, true))));
  const vin = new Array<VinView>(tx.inputsLength);
  for (let i = 0; i < vin.length; i++) {
    const input = tx.getInput(i);
    const prev = input.txid ?? EMPTY; // scure keeps it in display order already
    const scriptSig = input.finalScriptSig ?? EMPTY;
    vin[i] = {
      txid: hexOf(prev),
      vout: input.index ?? 0,
      is_coinbase: input.index === NULL_INDEX && prev.every((b) => b === 0),
      scriptsig: hexOf(scriptSig),
      scriptsig_asm: scureAsm(scriptSig),
      witness: (input.finalScriptWitness ?? []).map(hexOf),
      sequence: input.sequence ?? NULL_INDEX,
    };
  }
  const vout = new Array<VoutView>(tx.outputsLength);
  for (let i = 0; i < vout.length; i++) {
    const o = tx.getOutput(i);
    const script = o.script ?? EMPTY;
    const { type, address } = scureOutputType(script);
    const v: VoutView = { scriptpubkey: hexOf(script), scriptpubkey_asm: scureAsm(script), scriptpubkey_type: type, value: Number(o.amount ?? 0n) };
    if (address !== undefined) v.scriptpubkey_address = address;
    vout[i] = v;
  }
  const weight = scureWeight(tx);
  const view: TxView = {
    event: 'tx',
    txid: tx.id,
    wtxid,
    version: tx.version,
    locktime: tx.lockTime,
    vin,
    vout,
    size: raw.length, // scure has no size getter; the input is exactly one transaction
    weight,
    vsize: Math.ceil(weight / 4),
  };
  return JSON.stringify(view);
}

/**
 * scure's `weight` (and `vsize`) refuse a transaction with an input that has neither scriptSig
 * nor witness ("not finalized": a few vectors are unsigned); a user then weighs the two
 * serializations.
 */
function scureWeight(tx: btc.Transaction): number {
  try {
    return tx.weight;
  } catch {
    return tx.toBytes(true, false).length * 3 + tx.toBytes(true, true).length;
  }
}

function scureBare(hex: string): string {
  return btc.Transaction.fromRaw(Buffer.from(hex, 'hex'), SCURE_OPTS).id;
}

// ---------------------------------------------------------------------------------------------
// Cross-check: same answers before we time anything.

function crossCheck(vectors: readonly TxVector[]): string[] {
  const notes: string[] = [];
  const lineBytes = new Map<string, number>();
  const counts = new Map<string, number>();
  const note = (what: string): void => {
    counts.set(what, (counts.get(what) ?? 0) + 1);
  };
  for (const v of vectors) {
    const ours = JSON.parse(bitcrawlLine(v.hex)) as TxView;
    const theirs: [string, TxView][] = [
      ['bitcrawl', ours],
      ['bitcoinjs', JSON.parse(bjsLine(v.hex)) as TxView],
      ['scure', JSON.parse(scureLine(v.hex)) as TxView],
    ];
    for (const [lib, t] of theirs) {
      lineBytes.set(lib, (lineBytes.get(lib) ?? 0) + Buffer.byteLength(JSON.stringify(t)));
      if (t.txid !== v.txid) note(`${lib}: txid differs from the vectors`);
      if (t.wtxid !== v.wtxid) note(`${lib}: wtxid differs from the vectors`);
      if (t.size !== v.size || t.weight !== v.weight || t.vsize !== v.vsize) note(`${lib}: size/weight/vsize differ from the vectors`);
      if (lib === 'bitcrawl') continue;
      if (t.version !== ours.version || t.locktime !== ours.locktime) note(`${lib}: version/locktime differ from bitcrawl`);
      t.vout.forEach((o, i) => {
        const b = ours.vout[i];
        if (o.scriptpubkey_type !== b.scriptpubkey_type) note(`${lib}: output type ${o.scriptpubkey_type} where bitcrawl says ${b.scriptpubkey_type}`);
        else if (o.scriptpubkey_address !== b.scriptpubkey_address) note(`${lib}: ${b.scriptpubkey_type} address differs from bitcrawl`);
        if (o.value !== b.value) note(`${lib}: output value differs`);
      });
      t.vin.forEach((x, i) => {
        const b = ours.vin[i];
        if (x.txid !== b.txid || x.vout !== b.vout || x.is_coinbase !== b.is_coinbase || x.sequence !== b.sequence) note(`${lib}: input fields differ`);
        if (x.scriptsig !== b.scriptsig || (x.witness ?? []).join() !== (b.witness ?? []).join()) note(`${lib}: scriptSig/witness hex differ`);
      });
    }
  }
  for (const [what, n] of counts) notes.push(`${what} (${n}×)`);
  const sizes = [...lineBytes].map(([lib, n]) => `${lib} ${Math.round(n / vectors.length)}`).join(', ');
  console.log(`\naverage line bytes (ASM styles differ): ${sizes}`);
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Timing

type Job = (hex: string) => string;

/**
 * Runs a job over every line; returns seconds. Each line's UTF-8 length is taken, as writing it
 * to stdout would: bitcrawl's txLine builds its line by concatenation (a rope V8 flattens when
 * the line is written), so this counts that deferred work too, and keeps anything from being
 * optimized away.
 */
let sink = 0;
function timeJob(job: Job, lines: readonly string[]): number {
  const t0 = performance.now();
  let chars = 0;
  for (let i = 0; i < lines.length; i++) chars += Buffer.byteLength(job(lines[i]));
  const secs = (performance.now() - t0) / 1000;
  sink += chars;
  return secs;
}

interface Contender {
  readonly name: string;
  readonly job: Job;
  readonly secs: number[];
}

/** A warm-up pass, then `rounds` rounds with the order rotated each round. */
function race(contenders: readonly Contender[], lines: readonly string[], rounds: number, warmup: number): void {
  for (const c of contenders) timeJob(c.job, lines.slice(0, warmup));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length];
      c.secs.push(timeJob(c.job, lines));
    }
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function report(title: string, contenders: readonly Contender[], lines: number): void {
  const rate = (c: Contender): number => lines / median(c.secs);
  const [ours, ...others] = contenders;
  console.log(`\n${title}`);
  console.log('| library | median tx/s | ms per round (median, min–max) | bitcrawl ÷ library |');
  console.log('|---|---:|---:|---:|');
  for (const c of contenders) {
    const ms = (s: number): string => (s * 1000).toFixed(0);
    const ratio = c === ours ? '—' : `${(rate(ours) / rate(c)).toFixed(1)}×`;
    console.log(`| ${c.name} | ${fmt(rate(c))} | ${ms(median(c.secs))} (${ms(Math.min(...c.secs))}–${ms(Math.max(...c.secs))}) | ${ratio} |`);
  }
  for (const o of others) console.log(`bitcrawl/${o.name}: ${(rate(ours) / rate(o)).toFixed(2)}`);
}

function main(): void {
  const vectors = typicalTxVectors();
  const lines = Array.from({ length: LINES }, (_, i) => vectors[i % vectors.length].hex);
  const bytes = lines.reduce((a, l) => a + l.length / 2, 0);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`node ${process.version}, ${availableParallelism()} CPUs (${cpu}), ${process.platform}/${process.arch}`);
  console.log(
    `${vectors.length} distinct transactions ≤ 2,000 bytes (${vectors.filter((v) => v.segwit).length} segwit), ` +
      `repeated to ${fmt(LINES)} lines, ${(bytes / LINES).toFixed(0)} bytes on average; ` +
      `warm-up ${fmt(WARMUP)} lines, then ${ROUNDS} timed rounds`,
  );

  if (opts.baseline !== undefined) {
    void againstBaseline(opts.baseline, vectors, lines);
    return;
  }
  const differences = crossCheck(vectors);
  console.log(differences.length === 0 ? 'cross-check: all three agree' : `cross-check differences:\n  ${differences.join('\n  ')}`);

  const t0 = performance.now();
  const whole: Contender[] = [
    { name: 'bitcrawl', job: bitcrawlLine, secs: [] },
    { name: 'bitcoinjs-lib', job: bjsLine, secs: [] },
    { name: '@scure/btc-signer', job: scureLine, secs: [] },
  ];
  race(whole, lines, ROUNDS, WARMUP);
  report('Whole job: hex line → decode → ids, sizes, types, addresses, ASM → JSON line', whole, LINES);

  const bare: Contender[] = [
    { name: 'bitcrawl', job: bitcrawlBare, secs: [] },
    { name: 'bitcoinjs-lib', job: bjsBare, secs: [] },
    { name: '@scure/btc-signer', job: scureBare, secs: [] },
  ];
  race(bare, lines, ROUNDS, WARMUP);
  report('Bare decode with ids: hex → transaction → txid', bare, LINES);

  if (sink === 0) throw new Error('no output');
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s of timed work)`);
}

/** Same job, this tree's lib against the baseline's, in alternating rounds (load hits both alike). */
async function againstBaseline(dir: string, vectors: readonly TxVector[], lines: readonly string[]): Promise<void> {
  const root = pathToFileURL(`${resolve(dir)}/`);
  const base = {
    // decodeTx moved from lib/tx to lib/wire; a baseline from before the move has it in lib/tx.
    tx: (await import(new URL(existsSync(new URL('lib/wire/transaction.ts', root)) ? 'lib/wire/transaction.ts' : 'lib/tx/transaction.ts', root).href)) as {
      decodeTx: typeof decodeTx;
    },
    view: (await import(new URL('lib/tx/view.ts', root).href)) as { txLine: typeof txLine },
  };
  const baseLine: Job = (hex) => base.view.txLine(base.tx.decodeTx(fromHex(hex)), NET);
  const differ = vectors.filter((v) => baseLine(v.hex) !== bitcrawlLine(v.hex)).length;
  console.log(`baseline ${dir}: ${differ} of ${vectors.length} distinct lines differ from this tree's`);
  const pair: Contender[] = [
    { name: 'bitcrawl', job: bitcrawlLine, secs: [] },
    { name: 'baseline', job: baseLine, secs: [] },
  ];
  race(pair, lines, ROUNDS, WARMUP);
  report('Whole job, this tree against the baseline (ratio > 1: this tree is faster)', pair, LINES);
  if (sink === 0) throw new Error('no output');
}

main();
