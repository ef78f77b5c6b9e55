import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';

/**
 * The two elliptic-curve operations a BIP 324 handshake needs, behind one small interface: our
 * public X coordinate from a secret, and the X coordinate of secret ⋅ (a point with a given X).
 * libsecp256k1 (the `secp256k1` package's prebuilt addon, the library Bitcoin Core itself uses)
 * does each about 20–40× faster than @noble/curves in JavaScript (BENCHMARKS.md, "BIP 324 at
 * network scale"); noble is the fallback wherever the addon cannot load. Both take and return
 * 32-byte big-endian arrays and have no state.
 */
export interface EcBackend {
  readonly name: 'libsecp256k1' | 'noble';
  /** x(secret ⋅ G). The secret is 1..n-1 (checked by the caller). */
  publicX(secret: Uint8Array): Uint8Array;
  /** x(secret ⋅ P) for the point P with X coordinate `x` (either Y: both give the same X), which must be on the curve. */
  multiplyX(x: Uint8Array, secret: Uint8Array): Uint8Array;
}

/** The 33-byte compressed encoding of the point with X coordinate `x` and even Y (SEC 1, 2.3.3). */
function evenPoint(x: Uint8Array): Uint8Array {
  const p = new Uint8Array(33);
  p[0] = 0x02;
  p.set(x, 1);
  return p;
}

export const nobleBackend: EcBackend = {
  name: 'noble',
  publicX: (secret) => secp256k1.getPublicKey(secret, true).slice(1),
  multiplyX: (x, secret) => secp256k1.getSharedSecret(secret, evenPoint(x), true).slice(1),
};

/** What we use of the `secp256k1` package (v5 API: API.md). */
interface Secp256k1Addon {
  publicKeyCreate(secret: Uint8Array, compressed: boolean): Uint8Array;
  ecdh(
    pub: Uint8Array,
    secret: Uint8Array,
    opt: { hashfn: (x: Uint8Array, y: Uint8Array) => Uint8Array },
    output: Uint8Array,
  ): Uint8Array;
}

/** The hash step of libsecp256k1's ECDH made the identity on X: BIP 324 hashes X itself, later. */
const takeX = (x: Uint8Array): Uint8Array => x;

function addonBackend(addon: Secp256k1Addon): EcBackend {
  return {
    name: 'libsecp256k1',
    publicX: (secret) => addon.publicKeyCreate(secret, true).slice(1),
    multiplyX: (x, secret) => addon.ecdh(evenPoint(x), secret, { hashfn: takeX }, new Uint8Array(32)),
  };
}

/** x(G) and x(2G) (SEC 2, 2.4.1), for the known-answer check of a loaded addon. */
const G_X = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
const G2_X = 'c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * libsecp256k1's backend, or why its addon did not load. Only the package's native build is
 * taken (its JavaScript twin `secp256k1/elliptic` is slower than noble), and only when it gives
 * the known answers: an older major version (v3's ecdh hashes its result) must never be used.
 */
function tryAddon(): EcBackend | string {
  try {
    const backend = addonBackend(createRequire(import.meta.url)('secp256k1/bindings') as Secp256k1Addon);
    const one = new Uint8Array(32);
    one[31] = 1;
    const two = new Uint8Array(32);
    two[31] = 2;
    if (hex(backend.publicX(one)) !== G_X || hex(backend.multiplyX(Buffer.from(G_X, 'hex'), two)) !== G2_X) {
      return 'it gave the wrong answers for G and 2G';
    }
    return backend;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0];
  }
}

const addon = tryAddon();
/** The libsecp256k1 backend when its addon loads: tests hold it and noble to the same vectors. */
export const nativeBackend: EcBackend | undefined = typeof addon === 'string' ? undefined : addon;
/** BITCRAWL_SECP=noble forces the fallback (CI runs the BIP 324 tests both ways). */
const forced = process.env.BITCRAWL_SECP === 'noble';
/** The backend every handshake uses: libsecp256k1 when it loads, else noble. */
export const ecBackend: EcBackend = forced || nativeBackend === undefined ? nobleBackend : nativeBackend;
/** Why that one, for the crawler's `debug` line at start. */
export const ecBackendReason: string = forced
  ? 'BITCRAWL_SECP=noble'
  : typeof addon === 'string'
    ? `the secp256k1 addon did not load (${addon}): using @noble/curves`
    : 'libsecp256k1 (the secp256k1 addon)';
