import { randomBytes } from '@noble/hashes/utils.js';
import { GARBAGE_TERMINATOR_LEN } from './cipher.js';
import { V2Error } from './errors.js';

/** BIP 324: "May send up to 4095 bytes of garbage"; Core V2Transport::MAX_GARBAGE_LEN. */
export const MAX_GARBAGE_LEN = 4095;

/** The garbage terminator a peer of another network would send us, and that network's magic. */
export interface OtherTerminator {
  readonly magic: number;
  readonly term: Uint8Array;
}

/** Core GenerateRandomGarbage: randrange(MAX_GARBAGE_LEN + 1) random bytes. */
export function randomGarbage(): Uint8Array {
  const r = randomBytes(2);
  return randomBytes((r[0] | (r[1] << 8)) % (MAX_GARBAGE_LEN + 1));
}

/**
 * Core ProcessReceivedGarbageBytes: the garbage ends where the terminator first appears. Core
 * tests the last 16 bytes after each byte; here, once a chunk's bytes were appended to `buf`
 * (filled from `fill` to `end`), they are searched at once (Buffer's indexOf) from 15 bytes before
 * them, which finds the same first terminator. Returns where `term` starts in `buf`, or -1. A
 * terminator of another network starting before ours names that network: wrong-network-v2.
 */
export function findTerminator(buf: Buffer, fill: number, end: number, term: Uint8Array, others: readonly OtherTerminator[]): number {
  const from = Math.max(0, fill - (GARBAGE_TERMINATOR_LEN - 1));
  const filled = buf.subarray(0, end);
  const found = filled.indexOf(term, from);
  // Another network's terminator starting before ours, or anywhere when ours is not in yet.
  const before = found < 0 ? filled : buf.subarray(0, found + GARBAGE_TERMINATOR_LEN - 1);
  for (const o of others) {
    if (before.indexOf(o.term, from) >= 0) throw new V2Error('wrong-network-v2', 'the peer derived its v2 keys for another network', o.magic);
  }
  return found;
}
