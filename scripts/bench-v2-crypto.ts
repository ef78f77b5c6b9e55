/**
 * BIP 324's cryptography, each operation by each backend side by side in one process:
 *
 *   npm run bench:v2-crypto                 (node --import tsx scripts/bench-v2-crypto.ts)
 *   npm run bench:v2-crypto -- --rounds 7
 *
 * - the two curve operations of a handshake (our public key; ECDH with the peer's X), by
 *   @noble/curves and by libsecp256k1 (the `secp256k1` package's addon), see lib/transport/secp.ts;
 * - the square-ness test XSwiftEC does over and over, by a square root (noble's Fp.sqrt) and by the
 *   Jacobi symbol (lib/transport/ellswift.ts isSquare);
 * - ellswift_create and ellswift_decode as the crawler runs them;
 * - a whole handshake: two V2Sessions (initiator and responder) to their first application packet;
 * - a packet's AEAD, sealed and opened, by the JavaScript path (cipher.ts) and by Node's OpenSSL
 *   (node-aead.ts), for contents from 20 bytes (a ping) to 100 kB: where they cross is
 *   NODE_AEAD_FROM.
 *
 * Each figure is the median of its rounds, in µs per operation; a warm-up round is not counted.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from 'node:crypto';
import { FSChaCha20Poly1305 } from '../lib/transport/cipher.js';
import { ellswiftDecode, isSquare } from '../lib/transport/ellswift.js';
import { ellswiftCreate } from '../lib/transport/v2-ecdh.js';
import { nodeAead } from '../lib/transport/node-aead.js';
import { ecBackend, nativeBackend, nobleBackend } from '../lib/transport/secp.js';
import { V2Session } from '../lib/transport/v2.js';
import { median } from '../spec/support/stats.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;

/** µs per call of `f`, median over the rounds (after one warm-up round). */
function time(n: number, f: (i: number) => void): number {
  const per: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f(i);
    if (r > 0) per.push(Number(process.hrtime.bigint() - start) / n / 1000);
  }
  return median(per);
}

const fmt = (us: number): string => (us < 10 ? us.toFixed(2) : us.toFixed(1));
const row = (name: string, a: number, b: number): void => console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(1)}× |`);

if (!nativeBackend) console.log('(the secp256k1 addon did not load: noble only)');
const secrets = Array.from({ length: 64 }, () => secp256k1.utils.randomSecretKey());
const xs = secrets.map((k) => nobleBackend.publicX(k));

console.log(`\n## Curve operations, µs per call (median of ${rounds} rounds)\n`);
console.log('| operation | @noble/curves | libsecp256k1 | ratio |\n|---|---|---|---|');
const [noble, native] = [nobleBackend, nativeBackend ?? nobleBackend];
row('public key from a secret', time(100, (i) => noble.publicX(secrets[i % 64])), time(2000, (i) => native.publicX(secrets[i % 64])));
row('ECDH, X-only', time(40, (i) => noble.multiplyX(xs[i % 64], secrets[(i + 1) % 64])), time(2000, (i) => native.multiplyX(xs[i % 64], secrets[(i + 1) % 64])));

const P = secp256k1.Point.Fp.ORDER;
const field = Array.from({ length: 256 }, () => BigInt(`0x${randomBytes(32).toString('hex')}`) % P);
const Fp = secp256k1.Point.Fp;
const bySqrt = (a: bigint): boolean => {
  try {
    Fp.sqrt(a);
    return true;
  } catch {
    return false;
  }
};
console.log('\n| square-ness of a field element | square root | Jacobi symbol | ratio |\n|---|---|---|---|');
row('is a square', time(2000, (i) => bySqrt(field[i % 256])), time(2000, (i) => isSquare(field[i % 256])));

console.log('\n## ElligatorSwift and a whole handshake, µs per call\n');
console.log('| operation | @noble/curves | libsecp256k1 | ratio |\n|---|---|---|---|');
const ells = secrets.map((k) => ellswiftCreate(k));
const decode = time(500, (i) => ellswiftDecode(ells[i % 64]));
console.log(`| ellswift_decode (no curve operation) | ${fmt(decode)} | ${fmt(decode)} | 1.0× |`);
row('ellswift_create', time(100, (i) => ellswiftCreate(secrets[i % 64], undefined, noble)), time(300, (i) => ellswiftCreate(secrets[i % 64], undefined, native)));

/** One whole handshake in memory: both sides' keys, encodings, ECDH, key derivation, version packets. */
function handshake(): void {
  const a = new V2Session({ initiator: true, magic: 0xd9b4bef9 });
  const b = new V2Session({ initiator: false, magic: 0xd9b4bef9 });
  const toB = [a.start()];
  const toA = [b.start()];
  for (let turn = 0; turn < 4; turn++) {
    for (const out of b.receive(concat(toB.splice(0)))) if (out.kind === 'send') toA.push(out.bytes);
    for (const out of a.receive(concat(toA.splice(0)))) if (out.kind === 'send') toB.push(out.bytes);
  }
  if (a.sessionId === undefined || b.sessionId === undefined) throw new Error('the handshake did not finish');
}
const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
// The backend is chosen at load (BITCRAWL_SECP=noble forces noble): run once each way to compare.
console.log(`| a whole handshake, both sides, with the backend loaded (${ecBackend.name}) | ${fmt(time(30, handshake))} | | |`);

console.log('\n## Packet AEAD (seal + open), µs per packet\n');
console.log('| contents, bytes | JavaScript (cipher.ts) | Node (OpenSSL) | JavaScript ÷ Node |\n|---|---|---|---|');
const key = randomBytes(32);
for (const size of [20, 64, 128, 256, 374, 1024, 4096, 100_000]) {
  const plain = new Uint8Array(randomBytes(size));
  const box = new Uint8Array(size + 16);
  const n = size > 10_000 ? 200 : 5000;
  const roundTrip = (aead: typeof nodeAead | null): number => {
    const s = new FSChaCha20Poly1305(key, aead);
    const o = new FSChaCha20Poly1305(key, aead);
    return time(n, () => {
      s.sealAt(new Uint8Array(0), plain, box, 0, size);
      if (!o.openAt(new Uint8Array(0), box, box, 0, size)) throw new Error('did not authenticate');
    });
  };
  if (nodeAead === undefined) console.log(`| ${size} | ${fmt(roundTrip(null))} | – | – |`);
  else row(String(size), roundTrip(null), roundTrip({ ...nodeAead, from: 0 }));
}
