/**
 * What a byte string that is not a transaction might be instead, for `crawl decode`'s error line:
 * a whole block, or something that starts with a plausible block header (a block cut short).
 */
import { BLOCK_HEADER_BYTES, decodeBlock, readBlockHeader } from '../wire/block.js';
import { DecodeError } from '../wire/errors.js';
import { toReversedHex } from '../wire/hex.js';
import { ByteReader } from '../wire/reader.js';
import type { BlockHeader } from '../wire/model.js';
import { checkProofOfWork, targetFromBits } from './pow.js';

/** The genesis block's time (chainparams.cpp, 1231006505): no header of any network is older. */
const GENESIS_TIME = 1_231_006_505;
/** BIP 9: a version with these top three bits (001) signals version bits. */
const VERSIONBITS_TOP_MASK = 0xe0000000;
const VERSIONBITS_TOP_BITS = 0x20000000;
/** The last version before BIP 9 (BIP 65's 4). */
const MAX_PLAIN_VERSION = 4;

/**
 * Would a node take this for a header at a glance? A version of 1–4 or with BIP 9's top bits, a
 * time after the genesis block, and bits that make a positive target without Core's negative or
 * overflow flags (arith_uint256::SetCompact). Proof of work is not checked (regtest headers pass
 * any). A transaction's first 80 bytes fail this: its version (1–3) fits, but its outpoint hash
 * puts bytes at `time` and `bits` that rarely give a valid compact number and a plausible time.
 */
function plausibleHeader(h: BlockHeader): boolean {
  const v = h.version >>> 0;
  const versionOk = (v >= 1 && v <= MAX_PLAIN_VERSION) || (v & VERSIONBITS_TOP_MASK) >>> 0 === VERSIONBITS_TOP_BITS;
  const t = targetFromBits(h.bits);
  return versionOk && h.time >= GENESIS_TIME && !t.negative && !t.overflow && t.target > 0n;
}

/** The easiest proof of work of any network: regtest's powLimit (chainparams.cpp, 0x7fff…). */
const EASIEST_POW_LIMIT = (1n << 255n) - 1n;

/**
 * A block's bytes after its header start with a transaction count and the coinbase: a version,
 * perhaps the segwit marker and flag, one input, and that input's null outpoint (32 zero bytes,
 * index 0xffffffff). 41 bytes that a transaction's bytes past its 80th almost never hold.
 */
function coinbaseFollows(bytes: Uint8Array): boolean {
  let i = BLOCK_HEADER_BYTES;
  const count = bytes[i++];
  if (count === undefined || count === 0 || count > 0xfd) return false;
  if (count >= 0xfd) i += 2;
  i += 4; // the coinbase's version
  if (bytes[i] === 0 && bytes[i + 1] === 1) i += 2;
  if (bytes[i++] !== 1 || bytes.length < i + 36) return false;
  for (let k = 0; k < 32; k++) if (bytes[i + k] !== 0) return false;
  for (let k = 32; k < 36; k++) if (bytes[i + k] !== 0xff) return false;
  return true;
}

/** Why `bytes` (that failed to decode as a transaction) look like a block, or undefined. */
export function looksLikeBlock(bytes: Uint8Array): string | undefined {
  if (bytes.length < BLOCK_HEADER_BYTES) return undefined;
  let header: BlockHeader;
  try {
    header = readBlockHeader(new ByteReader(bytes.subarray(0, BLOCK_HEADER_BYTES)));
  } catch (err) {
    if (err instanceof DecodeError) return undefined;
    throw err;
  }
  if (!plausibleHeader(header)) return undefined;
  const hash = toReversedHex(header.hash);
  if (bytes.length === BLOCK_HEADER_BYTES) {
    return checkProofOfWork(header.hash, header.bits, EASIEST_POW_LIMIT) ? `this is a block header (block ${hash}), not a transaction` : undefined;
  }
  try {
    const block = decodeBlock(bytes);
    return `this is a block (${hash}, ${block.txs.length} transactions), not a transaction`;
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    if (!coinbaseFollows(bytes)) return undefined;
    return `this looks like a block (its first 80 bytes are a header: block ${hash}), but it does not decode as one either: ${err.message}`;
  }
}
