import { bech32, bech32m } from '@scure/base';
import { sha256d } from '../wire/hash.js';
import type { NetworkParams } from '../wire/network.js';
import { OP, witnessProgram } from './script.js';

/** BIP 173: segwit addresses may be up to 90 characters, beyond bech32's default 90 limit. */
const SEGWIT_ADDRESS_LIMIT = 90;

const BASE58_ALPHABET = Buffer.from('123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz', 'latin1');
/** 58^5 < 2^30: one limb holds five base-58 digits, and limb × 256 + carry stays exact (< 2^38). */
const LIMB = 58 ** 5;
/** A 25-byte payload (< 2^200) has at most 35 base-58 digits: 7 limbs; the text is ≤ 35 chars. */
const limbs = new Float64Array(7);
const text = Buffer.alloc(35);

/**
 * Base58check of `prefix ‖ hash20` (a P2PKH or P2SH address), the same text as @scure/base's
 * createBase58check(sha256). Written out because P2PKH and P2SH outputs are common and the
 * generic encoder cost 4.2 µs an address: its checksum is two @noble/hashes calls with their
 * set-up cost, its radix conversion goes digit by digit and builds the string a character at a
 * time. Here the checksum is sha256d's one-block path, the conversion goes five digits at a time,
 * and the text is written as bytes and read as one string: ~1.3 µs in all.
 */
function base58Address(prefix: number, hash: Uint8Array): string {
  // No subarray() of these small arrays: V8 keeps typed arrays of ≤ 64 bytes on its heap and
  // gives one a separate buffer (an allocation and a copy) the first time a view of it is taken.
  const body = new Uint8Array(21);
  body[0] = prefix;
  body.set(hash, 1);
  const check = sha256d(body);
  // The 25 bytes body ‖ check[0..4], big-endian → little-endian limbs in base 58^5
  // (schoolbook: limbs × 256 + byte).
  let used = 0;
  for (let i = 0; i < 25; i++) {
    let carry = i < 21 ? body[i] : check[i - 21];
    for (let j = 0; j < used; j++) {
      const x = limbs[j] * 256 + carry;
      carry = Math.floor(x / LIMB);
      limbs[j] = x - carry * LIMB;
    }
    if (carry > 0) limbs[used++] = carry; // < 256: a new top limb, never 0
  }
  // Limbs → digits, written from the end: five per limb, the top limb without leading zeros.
  let at = text.length;
  for (let j = 0; j < used; j++) {
    let v = limbs[j];
    const top = j === used - 1;
    for (let k = 0; k < 5 && !(top && v === 0); k++) {
      const q = Math.floor(v / 58);
      text[--at] = BASE58_ALPHABET[v - q * 58];
      v = q;
    }
  }
  // Each leading zero byte is a '1', base58's zero digit.
  for (let i = 0; i < 25 && (i < 21 ? body[i] : check[i - 21]) === 0; i++) text[--at] = 0x31;
  return text.toString('latin1', at);
}

/** BIP 173 (v0, bech32) and BIP 350 (v1+, bech32m) address of a witness program. */
export function segwitAddress(version: number, program: Uint8Array, hrp: string): string | undefined {
  if (program.length < 2 || program.length > 40) return undefined;
  if (version === 0 && program.length !== 20 && program.length !== 32) return undefined;
  const words = [version, ...bech32.toWords(program)];
  return (version === 0 ? bech32 : bech32m).encode(hrp, words, SEGWIT_ADDRESS_LIMIT);
}

/**
 * The address of an output script, as Bitcoin Core's ExtractDestination gives it: P2PKH and P2SH
 * in base58check, witness programs v0–16 in bech32/bech32m (P2A included: Core 28 gives it an
 * address). None for P2PK, bare multisig, OP_RETURN and non-standard scripts.
 */
export function outputAddress(script: Uint8Array, net: NetworkParams): string | undefined {
  const n = script.length;
  if (n === 25 && script[0] === OP.DUP && script[1] === OP.HASH160 && script[2] === 20 && script[23] === OP.EQUALVERIFY && script[24] === OP.CHECKSIG) {
    return base58Address(net.p2pkhPrefix, script.subarray(3, 23));
  }
  if (n === 23 && script[0] === OP.HASH160 && script[1] === 20 && script[22] === OP.EQUAL) {
    return base58Address(net.p2shPrefix, script.subarray(2, 22));
  }
  const wp = witnessProgram(script);
  return wp ? segwitAddress(wp.version, wp.program, net.bech32Hrp) : undefined;
}
