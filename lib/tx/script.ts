import { toHex } from '../wire/hex.js';

/** Opcodes this module matches on. */
export const OP = {
  OP_0: 0x00,
  PUSHDATA1: 0x4c,
  PUSHDATA2: 0x4d,
  PUSHDATA4: 0x4e,
  OP_1NEGATE: 0x4f,
  OP_1: 0x51,
  OP_15: 0x5f,
  OP_16: 0x60,
  RETURN: 0x6a,
  DUP: 0x76,
  EQUAL: 0x87,
  EQUALVERIFY: 0x88,
  HASH160: 0xa9,
  CHECKSIG: 0xac,
  CHECKMULTISIG: 0xae,
} as const;

/**
 * Opcode names as Esplora shows them (rust-bitcoin's asm): OP_0, OP_PUSHBYTES_n, OP_PUSHNUM_n,
 * OP_CLTV/OP_CSV for 0xb1/0xb2, OP_CHECKSIGADD, and OP_RETURN_n for the undefined 0xbb–0xfe.
 */
const OPCODE_NAMES: readonly string[] = (() => {
  const names = new Array<string>(256);
  names[0] = 'OP_0';
  for (let i = 1; i <= 0x4b; i++) names[i] = `OP_PUSHBYTES_${i}`;
  const fixed: Record<number, string> = {
    0x4c: 'OP_PUSHDATA1', 0x4d: 'OP_PUSHDATA2', 0x4e: 'OP_PUSHDATA4', 0x4f: 'OP_PUSHNUM_NEG1', 0x50: 'OP_RESERVED',
    0x61: 'OP_NOP', 0x62: 'OP_VER', 0x63: 'OP_IF', 0x64: 'OP_NOTIF', 0x65: 'OP_VERIF', 0x66: 'OP_VERNOTIF',
    0x67: 'OP_ELSE', 0x68: 'OP_ENDIF', 0x69: 'OP_VERIFY', 0x6a: 'OP_RETURN', 0x6b: 'OP_TOALTSTACK',
    0x6c: 'OP_FROMALTSTACK', 0x6d: 'OP_2DROP', 0x6e: 'OP_2DUP', 0x6f: 'OP_3DUP', 0x70: 'OP_2OVER', 0x71: 'OP_2ROT',
    0x72: 'OP_2SWAP', 0x73: 'OP_IFDUP', 0x74: 'OP_DEPTH', 0x75: 'OP_DROP', 0x76: 'OP_DUP', 0x77: 'OP_NIP',
    0x78: 'OP_OVER', 0x79: 'OP_PICK', 0x7a: 'OP_ROLL', 0x7b: 'OP_ROT', 0x7c: 'OP_SWAP', 0x7d: 'OP_TUCK',
    0x7e: 'OP_CAT', 0x7f: 'OP_SUBSTR', 0x80: 'OP_LEFT', 0x81: 'OP_RIGHT', 0x82: 'OP_SIZE', 0x83: 'OP_INVERT',
    0x84: 'OP_AND', 0x85: 'OP_OR', 0x86: 'OP_XOR', 0x87: 'OP_EQUAL', 0x88: 'OP_EQUALVERIFY', 0x89: 'OP_RESERVED1',
    0x8a: 'OP_RESERVED2', 0x8b: 'OP_1ADD', 0x8c: 'OP_1SUB', 0x8d: 'OP_2MUL', 0x8e: 'OP_2DIV', 0x8f: 'OP_NEGATE',
    0x90: 'OP_ABS', 0x91: 'OP_NOT', 0x92: 'OP_0NOTEQUAL', 0x93: 'OP_ADD', 0x94: 'OP_SUB', 0x95: 'OP_MUL',
    0x96: 'OP_DIV', 0x97: 'OP_MOD', 0x98: 'OP_LSHIFT', 0x99: 'OP_RSHIFT', 0x9a: 'OP_BOOLAND', 0x9b: 'OP_BOOLOR',
    0x9c: 'OP_NUMEQUAL', 0x9d: 'OP_NUMEQUALVERIFY', 0x9e: 'OP_NUMNOTEQUAL', 0x9f: 'OP_LESSTHAN',
    0xa0: 'OP_GREATERTHAN', 0xa1: 'OP_LESSTHANOREQUAL', 0xa2: 'OP_GREATERTHANOREQUAL', 0xa3: 'OP_MIN',
    0xa4: 'OP_MAX', 0xa5: 'OP_WITHIN', 0xa6: 'OP_RIPEMD160', 0xa7: 'OP_SHA1', 0xa8: 'OP_SHA256',
    0xa9: 'OP_HASH160', 0xaa: 'OP_HASH256', 0xab: 'OP_CODESEPARATOR', 0xac: 'OP_CHECKSIG',
    0xad: 'OP_CHECKSIGVERIFY', 0xae: 'OP_CHECKMULTISIG', 0xaf: 'OP_CHECKMULTISIGVERIFY', 0xb0: 'OP_NOP1',
    0xb1: 'OP_CLTV', 0xb2: 'OP_CSV', 0xba: 'OP_CHECKSIGADD', 0xff: 'OP_INVALIDOPCODE',
  };
  for (const [code, name] of Object.entries(fixed)) names[Number(code)] = name;
  for (let i = 1; i <= 16; i++) names[0x50 + i] = `OP_PUSHNUM_${i}`;
  for (let i = 0xb3; i <= 0xb9; i++) names[i] = `OP_NOP${i - 0xb3 + 4}`;
  for (let i = 0xbb; i <= 0xfe; i++) names[i] = `OP_RETURN_${i}`;
  return names;
})();

export function opcodeName(op: number): string {
  return OPCODE_NAMES[op];
}

/**
 * Script → ASM text as Esplora prints it (`scriptpubkey_asm`, `scriptsig_asm`): rust-bitcoin's
 * `Script` Display (bytes_to_asm_fmt in bitcoin/src/blockdata/script/), which electrs uses.
 * Opcodes are separated by one space; a push's data follows its opcode after a space, as hex, and
 * a zero-length push (`OP_0`, `OP_PUSHDATA1 00`) has nothing after its name. Two ways to stop:
 * - the length bytes of an OP_PUSHDATA1/2/4 are cut off: `<unexpected end>` is written in the
 *   opcode's place, right after the previous text without a space (`OP_CAT<unexpected end>`,
 *   or just `<unexpected end>` as the first thing);
 * - the data is cut off: the opcode is written, then ` <push past end>`.
 */
export function scriptAsm(script: Uint8Array, limit = Infinity): string {
  const n = script.length;
  let s = '';
  let i = 0;
  while (i < n) {
    if (s.length > limit) return truncated(s, limit);
    const op = script[i++];
    let len = 0;
    if (op <= 0x4b) {
      len = op;
    } else if (op <= OP.PUSHDATA4) {
      const width = op === OP.PUSHDATA1 ? 1 : op === OP.PUSHDATA2 ? 2 : 4;
      if (n - i < width) {
        s += '<unexpected end>';
        break;
      }
      len = script[i];
      if (width >= 2) len |= script[i + 1] << 8;
      if (width === 4) len = (len | (script[i + 2] << 16)) + script[i + 3] * 0x1000000;
      i += width;
    }
    s += s === '' ? OPCODE_NAMES[op] : ` ${OPCODE_NAMES[op]}`;
    if (len === 0) continue;
    if (len > n - i) {
      s += ' <push past end>';
      break;
    }
    s += ` ${toHex(script.subarray(i, i + len))}`;
    i += len;
  }
  return s.length > limit ? truncated(s, limit) : s;
}

/**
 * What ends an ASM text cut short (see MAX_TX_ASM_CHARS in view.ts): a marker of our own, in
 * the style of rust-bitcoin's `<unexpected end>`; the script's full hex is always beside it.
 */
export const ASM_TRUNCATED = '<truncated>';

/** `s` cut at the last whole token within `limit` characters, then the marker. */
function truncated(s: string, limit: number): string {
  const cut = s.lastIndexOf(' ', limit);
  return cut > 0 ? `${s.slice(0, cut)} ${ASM_TRUNCATED}` : ASM_TRUNCATED;
}

export const OUTPUT_TYPES = ['empty', 'op_return', 'p2pk', 'p2pkh', 'p2sh', 'v0_p2wpkh', 'v0_p2wsh', 'v1_p2tr', 'anchor', 'provably_unspendable', 'multisig', 'unknown'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

/** A witness program (BIP 141): OP_n then one push of 2–40 bytes, nothing else. */
export function witnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | undefined {
  const n = script.length;
  if (n < 4 || n > 42) return undefined;
  const v = script[0];
  if (v !== OP.OP_0 && (v < OP.OP_1 || v > OP.OP_16)) return undefined;
  if (script[1] + 2 !== n) return undefined;
  return { version: v === 0 ? 0 : v - 0x50, program: script.subarray(2) };
}

/**
 * First bytes that make a script "provably unspendable" for electrs: rust-bitcoin 0.28's
 * `Script::is_provably_unspendable` (the version mempool's electrs pins) is true when the first
 * opcode's `classify(ClassifyContext::Legacy)` is ReturnOp or IllegalOp (src/blockdata/opcodes.rs),
 * and false for an empty script. ReturnOp: OP_RETURN, OP_RESERVED, OP_VER, OP_RESERVED1/2, and
 * every code from 0xba (OP_CHECKSIGADD, not an opcode outside tapscript) up to 0xfe; IllegalOp:
 * OP_VERIF, OP_VERNOTIF, OP_INVALIDOPCODE (0xff) and the 15 disabled opcodes (OP_CAT … OP_RSHIFT).
 * OP_RETURN (0x6a) is in the table but never reaches it: `op_return` is tried first.
 */
const UNSPENDABLE_FIRST_BYTE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const op of [0x6a, 0x50, 0x62, 0x89, 0x8a, 0x65, 0x66, 0x7e, 0x7f, 0x80, 0x81, 0x83, 0x84, 0x85, 0x86, 0x8d, 0x8e, 0x95, 0x96, 0x97, 0x98, 0x99]) t[op] = 1;
  for (let op = 0xba; op <= 0xff; op++) t[op] = 1;
  return t;
})();

/**
 * mempool.space's electrs (src/rest.rs, `TxOutValue::new`), rule for rule and in its order: the
 * first that matches names the output.
 * - `empty`: no bytes at all.
 * - `op_return`: the first byte is OP_RETURN (0x6a; rust-bitcoin's `is_op_return`), whatever
 *   follows, even a truncated push.
 * - `p2pk`: OP_PUSHBYTES_33 + 33 bytes + OP_CHECKSIG, or OP_PUSHBYTES_65 + 65 bytes + OP_CHECKSIG,
 *   with any bytes as the key (rust-bitcoin's is_p2pk checks the shape only, not the key's
 *   header byte as Core's Solver does).
 * - `p2pkh`, `p2sh`, `v0_p2wpkh` (OP_0 + 20), `v0_p2wsh` (OP_0 + 32), `v1_p2tr` (OP_1 + 32): the
 *   exact templates; other witness programs (v0 of other lengths, v2–v16) are `unknown`.
 * - `anchor`: P2A, OP_1 OP_PUSHBYTES_2 4e73 (mempool/electrs#99; Core 28).
 * - `provably_unspendable`: any other first byte in UNSPENDABLE_FIRST_BYTE (e.g. 0xff, OP_VER,
 *   OP_CAT), whatever follows (`script.is_provably_unspendable()`, tried after `anchor`).
 * - `multisig` (electrs' is_bare_multisig, looser than Core): at least 37 bytes, the last
 *   OP_CHECKMULTISIG, the one before it OP_1…OP_15 (not OP_16), the first OP_1 up to that one.
 *   The bytes between are not looked at: keys of any size or none, any opcodes.
 * - `unknown`: anything else.
 */
export function classifyOutput(script: Uint8Array): OutputType {
  const n = script.length;
  if (n === 0) return 'empty';
  const first = script[0];
  if (first === OP.RETURN) return 'op_return';
  if (((n === 35 && first === 33) || (n === 67 && first === 65)) && script[n - 1] === OP.CHECKSIG) return 'p2pk';
  if (n === 25 && first === OP.DUP && script[1] === OP.HASH160 && script[2] === 20 && script[23] === OP.EQUALVERIFY && script[24] === OP.CHECKSIG) {
    return 'p2pkh';
  }
  if (n === 23 && first === OP.HASH160 && script[1] === 20 && script[22] === OP.EQUAL) return 'p2sh';
  if (n === 22 && first === OP.OP_0 && script[1] === 20) return 'v0_p2wpkh';
  if (n === 34 && first === OP.OP_0 && script[1] === 32) return 'v0_p2wsh';
  if (n === 34 && first === OP.OP_1 && script[1] === 32) return 'v1_p2tr';
  if (n === 4 && first === OP.OP_1 && script[1] === 2 && script[2] === 0x4e && script[3] === 0x73) return 'anchor';
  if (UNSPENDABLE_FIRST_BYTE[first] === 1) return 'provably_unspendable';
  if (n >= 37 && script[n - 1] === OP.CHECKMULTISIG) {
    const keys = script[n - 2];
    if (keys >= OP.OP_1 && keys <= OP.OP_15 && first >= OP.OP_1 && first <= keys) return 'multisig';
  }
  return 'unknown';
}
