import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { ELLSWIFT_BYTES, ellswiftDecode, ellswiftEncode } from './ellswift.js';
import { ecBackend, type EcBackend } from './secp.js';

/**
 * BIP 324's key exchange with a private key: ellswift_create, the X-only ECDH and v2_ecdh. The
 * point multiplications go through the backend (secp.ts: libsecp256k1, or noble); the
 * ElligatorSwift encoding and decoding are ellswift.ts's, which a worker can run alone
 * (key-pool.ts), so neither a secret nor the native addon ever enters it.
 */

/** BIP 340 notation: n, the group order of secp256k1. */
const N = secp256k1.Point.Fn.ORDER;
/** BIP 324 v2_ecdh: the tag of the shared-secret hash. */
const ECDH_TAG = 'bip324_ellswift_xonly_ecdh';

function privateScalar(privkey: Uint8Array): bigint {
  if (privkey.length !== 32) throw new RangeError(`a private key is 32 bytes, got ${privkey.length}`);
  const d = bytesToNumberBE(privkey);
  if (d === 0n || d >= N) throw new RangeError('private key out of range 1..n-1');
  return d;
}

/** Our public X coordinate, x(priv⋅G), checked for a key in 1..n-1. */
export function publicX(privkey: Uint8Array, ec: EcBackend = ecBackend): Uint8Array {
  privateScalar(privkey);
  return ec.publicX(privkey);
}

/** BIP 324 ellswift_create with a given key: XElligatorSwift(x(priv⋅G)) (ellswiftEncode). */
export function ellswiftCreate(privkey: Uint8Array, rand32: Uint8Array = randomBytes(32), ec: EcBackend = ecBackend): Uint8Array {
  return ellswiftEncode(publicX(privkey, ec), rand32); // which checks rand32
}

/** BIP 324 ellswift_ecdh_xonly: x(priv⋅lift_x(XSwiftEC(u, t))) as 32 bytes. */
export function ellswiftEcdhXonly(ellTheirs: Uint8Array, privkey: Uint8Array, ec: EcBackend = ecBackend): Uint8Array {
  privateScalar(privkey);
  // XSwiftEC always returns an X on the curve; either of its points will do, as a point and its
  // negation give the same X coordinate (BIP 324).
  return ec.multiplyX(ellswiftDecode(ellTheirs), privkey);
}

const TAG_HASH = sha256(new TextEncoder().encode(ECDH_TAG));

/** BIP 340 tagged hash SHA256(SHA256(tag) || SHA256(tag) || parts...). */
function taggedHash(...parts: Uint8Array[]): Uint8Array {
  const h = sha256.create().update(TAG_HASH).update(TAG_HASH);
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * BIP 324 v2_ecdh from their decoded X (ellswiftDecode(ellTheirs), computed elsewhere: the key
 * worker): x(priv⋅lift_x(theirX)), hashed with both 64-byte encodings as sent, the initiator's first.
 */
export function v2EcdhFromX(privkey: Uint8Array, theirX: Uint8Array, ellTheirs: Uint8Array, ellOurs: Uint8Array, initiating: boolean, ec: EcBackend = ecBackend): Uint8Array {
  if (ellOurs.length !== ELLSWIFT_BYTES || ellTheirs.length !== ELLSWIFT_BYTES) throw new RangeError(`an ElligatorSwift encoding is ${ELLSWIFT_BYTES} bytes`);
  privateScalar(privkey);
  const x32 = ec.multiplyX(theirX, privkey);
  return initiating ? taggedHash(ellOurs, ellTheirs, x32) : taggedHash(ellTheirs, ellOurs, x32);
}

/**
 * BIP 324 v2_ecdh: the 32-byte ECDH secret, hashed with both 64-byte encodings as sent, the
 * initiator's first (Core: CKey::ComputeBIP324ECDHSecret).
 */
export function v2Ecdh(privkey: Uint8Array, ellTheirs: Uint8Array, ellOurs: Uint8Array, initiating: boolean, ec: EcBackend = ecBackend): Uint8Array {
  return v2EcdhFromX(privkey, ellswiftDecode(ellTheirs), ellTheirs, ellOurs, initiating, ec);
}

/** A fresh random private key in 1..n-1. */
export function randomPrivateKey(): Uint8Array {
  for (;;) {
    const k = randomBytes(32);
    const d = bytesToNumberBE(k);
    if (d !== 0n && d < N) return k;
  }
}
