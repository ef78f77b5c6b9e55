import { bech32, bech32m, createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import type { NetworkParams } from '../wire/network.js';
import { OP, witnessProgram } from './script.js';

const base58check = createBase58check(sha256);
/** BIP 173: segwit addresses may be up to 90 characters, beyond bech32's default 90 limit. */
const SEGWIT_ADDRESS_LIMIT = 90;

function base58Address(prefix: number, hash: Uint8Array): string {
  const payload = new Uint8Array(21);
  payload[0] = prefix;
  payload.set(hash, 1);
  return base58check.encode(payload);
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
