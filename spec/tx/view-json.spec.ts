/**
 * The fast paths of the transaction line (see BENCHMARKS.md, "Decode"): txLine writes its JSON
 * by hand and base58 addresses have their own encoder; both against the plain definitions.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outputAddress } from '../../lib/tx/address.js';
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { txLine, txView, type SeenView } from '../../lib/tx/view.js';
import { fromHex } from '../../lib/wire/hex.js';
import { NETWORKS, NETWORK_NAMES } from '../../lib/wire/network.js';
import { readVectors } from '../support/vectors.js';

const vectors = readVectors<{ hex: string }>('transactions.ndjson');

describe('txLine', () => {
  it('is JSON.stringify(txView(…)) for every vector transaction (the large ones on mainnet only)', () => {
    for (const v of vectors) {
      const tx = decodeTx(fromHex(v.hex));
      for (const name of tx.size > 10_000 ? (['mainnet'] as const) : NETWORK_NAMES) {
        const net = NETWORKS[name];
        expect(txLine(tx, net)).toBe(JSON.stringify(txView(tx, net)));
      }
    }
  });

  it('with seen and raw too, whatever the peer names hold', () => {
    const txs = vectors.slice(0, 20).map((v) => decodeTx(fromHex(v.hex)));
    fc.assert(
      fc.property(fc.constantFrom(...txs), fc.string(), fc.string(), fc.double(), fc.boolean(), fc.boolean(), (tx, peer, first, time, raw, full) => {
        const seen: SeenView = full ? { peer, time, first: { peer: first, time }, last: { peer, time }, peers: 3 } : { peer, time };
        const net = NETWORKS.regtest;
        expect(txLine(tx, net, { seen, raw })).toBe(JSON.stringify(txView(tx, net, { seen, raw })));
        expect(txLine(tx, net, { raw })).toBe(JSON.stringify(txView(tx, net, { raw })));
      }),
      { numRuns: 300 },
    );
  });
});

describe('output values', () => {
  const base = decodeTx(fromHex(vectors[0].hex));
  /** The vector transaction with every output's value replaced, through the encoder and decoder. */
  const withValue = (value: bigint): DecodedTx => decodeTx(encodeTx({ ...base, outputs: base.outputs.map((o) => ({ ...o, value })) }));
  const valuesOf = (line: string): string[] => [...line.matchAll(/"value":(\d+)[,}]/g)].map((m) => m[1]);

  it('are written digit for digit from the 64-bit value, also above 2^53', () => {
    for (const v of [0n, 1n, 2_100_000_000_000_000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
      const line = txLine(withValue(v), NETWORKS.mainnet);
      expect(valuesOf(line)).toEqual(base.outputs.map(() => v.toString()));
    }
    expect(txLine(withValue(2n ** 64n - 1n), NETWORKS.mainnet)).toContain('"value":18446744073709551615}');
  });

  it('are the only difference from JSON.stringify(txView(…)), which rounds above 2^53', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        const tx = withValue(v);
        const line = txLine(tx, NETWORKS.mainnet);
        expect(valuesOf(line)).toEqual(base.outputs.map(() => v.toString()));
        const rounded = line.replace(/"value":\d+/g, `"value":${Number(v)}`);
        expect(rounded).toBe(JSON.stringify(txView(tx, NETWORKS.mainnet)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('base58 addresses', () => {
  const reference = createBase58check(sha256);
  const p2pkh = (h: Uint8Array): Uint8Array => Uint8Array.from([0x76, 0xa9, 20, ...h, 0x88, 0xac]);
  const p2sh = (h: Uint8Array): Uint8Array => Uint8Array.from([0xa9, 20, ...h, 0x87]);

  it('match @scure/base base58check for random hashes, also with leading zero bytes', () => {
    const hash = fc.tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.nat(20)).map(([h, zeros]) => h.fill(0, 0, zeros));
    fc.assert(
      fc.property(hash, fc.constantFrom(...NETWORK_NAMES), (h, name) => {
        const net = NETWORKS[name];
        expect(outputAddress(p2pkh(h), net)).toBe(reference.encode(Uint8Array.from([net.p2pkhPrefix, ...h])));
        expect(outputAddress(p2sh(h), net)).toBe(reference.encode(Uint8Array.from([net.p2shPrefix, ...h])));
      }),
      { numRuns: 3_000 },
    );
  });

  it('match for every version byte, and for the extremes of the payload', () => {
    for (let prefix = 0; prefix < 256; prefix++) {
      for (const h of [new Uint8Array(20), new Uint8Array(20).fill(0xff), Uint8Array.from({ length: 20 }, (_, i) => i * 13 + prefix)]) {
        const net = { ...NETWORKS.mainnet, p2pkhPrefix: prefix };
        expect(outputAddress(p2pkh(h), net)).toBe(reference.encode(Uint8Array.from([prefix, ...h])));
      }
    }
  });

  it('are the known mainnet addresses', () => {
    // The genesis coinbase key's hash160, and the P2SH of BIP 16's example.
    expect(outputAddress(p2pkh(fromHex('62e907b15cbf27d5425399ebf6f0fb50ebb88f18')), NETWORKS.mainnet)).toBe('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa');
    expect(outputAddress(p2pkh(new Uint8Array(20)), NETWORKS.mainnet)).toBe('1111111111111111111114oLvT2');
  });
});
