/**
 * Known answers from outside: every transaction, block and invalid entry of spec/fixtures/vectors,
 * whose ids were verified by three independent decoders.
 */
import { describe, expect, it } from 'vitest';
import * as bitcoin from 'bitcoinjs-lib';
import { blockMerkleOk, coinbaseHeight } from '../../lib/tx/block.js';
import { decodeBlock, encodeBlock } from '../../lib/wire/block.js';
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import { txView } from '../../lib/tx/view.js';
import { DecodeError } from '../../lib/wire/errors.js';
import { fromHex, toHex, toReversedHex } from '../../lib/wire/hex.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { readVectors as vectors, type BlockVector, type TxVector } from '../support/vectors.js';


/** The vectors' transactions, with the answers this file checks beyond the ids. */
interface KnownTx extends TxVector {
  version: number;
  locktime: number;
  nIn: number;
  nOut: number;
  inputTypes: string[];
  outputTypes: string[];
}
interface KnownBlock extends BlockVector {
  size: number;
  strippedSize: number;
  weight: number;
  header: { version: number };
  checks: { merkleRootValid: boolean };
}
interface InvalidVector {
  hex: string;
  why: string;
  type: 'tx' | 'block';
  kind: 'malformed' | 'consensus-invalid' | 'ambiguous' | 'hex-encoding';
}

const TXS = vectors<KnownTx>('transactions.ndjson');
const BLOCKS = vectors<KnownBlock>('blocks.ndjson');
const INVALID = vectors<InvalidVector>('invalid.ndjson');

/** The vectors' output type names → ours (README.md, "What it prints"), where they differ. */
const OUTPUT_TYPE: Record<string, string> = {
  p2wpkh: 'v0_p2wpkh',
  p2wsh: 'v0_p2wsh',
  p2tr: 'v1_p2tr',
  bare_multisig: 'multisig',
  witness_commitment: 'op_return', // an OP_RETURN output carrying the BIP 141 commitment
  nonstandard: 'unknown',
};

describe('transactions.ndjson', () => {
  it('has the 144 transactions the README of the vectors announces', () => {
    expect(TXS).toHaveLength(144);
  });

  it.each(TXS.map((v) => [`${v.txid.slice(0, 16)} ${(v.desc ?? '').slice(0, 50)}`, v] as const))('%s', (_, v) => {
    const tx = decodeTx(fromHex(v.hex));
    expect(toReversedHex(tx.txid)).toBe(v.txid);
    expect(toReversedHex(tx.wtxid)).toBe(v.wtxid);
    expect([tx.size, tx.vsize, tx.weight]).toEqual([v.size, v.vsize, v.weight]);
    expect([tx.version, tx.locktime, tx.inputs.length, tx.outputs.length, tx.segwit]).toEqual([v.version, v.locktime, v.nIn, v.nOut, v.segwit]);
    // Re-encoding gives the same bytes; without witness, the bytes the txid commits to.
    expect(toHex(encodeTx(tx))).toBe(v.hex);
    expect(toReversedHex(decodeTx(encodeTx(tx, false)).txid)).toBe(v.txid);
    const view = txView(tx, NETWORKS.mainnet);
    // The vectors list the distinct types a transaction has. Their bare_multisig, like electrs'
    // multisig, includes scripts with data in the key slots (which Core calls nonstandard).
    const expected = v.outputTypes.map((t) => OUTPUT_TYPE[t] ?? t);
    expect(new Set(view.vout.map((o) => o.scriptpubkey_type))).toEqual(new Set(expected));
    expect(view.vin.some((i) => i.is_coinbase)).toBe(v.inputTypes.includes('coinbase'));
  });
});

describe('blocks.ndjson', () => {
  it.each(BLOCKS.map((v) => [`${v.hash.slice(0, 16)} ${(v.desc ?? '').slice(0, 50)}`, v] as const))('%s', (_, v) => {
    const block = decodeBlock(fromHex(v.hex));
    expect(toReversedHex(block.header.hash)).toBe(v.hash);
    expect(block.txs).toHaveLength(v.txCount);
    expect([block.size, block.strippedSize, block.weight]).toEqual([v.size, v.strippedSize, v.weight]);
    expect(blockMerkleOk(block)).toBe(v.checks.merkleRootValid);
    expect(toHex(encodeBlock(block))).toBe(v.hex);
    // BIP 34 heights are in coinbases from block version 2 on.
    if (v.height !== undefined && v.header.version >= 2 && coinbaseHeight(block) !== undefined) expect(coinbaseHeight(block)).toBe(v.height);
  });
});

describe('invalid.ndjson', () => {
  it.each(INVALID.map((v) => [`${v.kind}: ${v.why.slice(0, 70)}`, v] as const))('%s', (_, v) => {
    const decode = (): unknown => (v.type === 'block' ? decodeBlock : decodeTx)(fromHex(v.hex));
    if (v.kind === 'consensus-invalid') {
      // Well-formed: it decodes; consensus is not a decoder's business.
      expect(decode).not.toThrow();
    } else {
      // Malformed, bad hex, or ambiguous (rejected as Core's witness-aware parser rejects it).
      expect(decode).toThrow(DecodeError);
    }
  });

  it('gives reasons that say what is wrong', () => {
    const reason = (hex: string, type: 'tx' | 'block'): string => {
      try {
        (type === 'block' ? decodeBlock : decodeTx)(fromHex(hex));
      } catch (err) {
        return (err as Error).message;
      }
      return 'decoded';
    };
    const byWhy = (re: RegExp): InvalidVector => INVALID.find((v) => re.test(v.why))!;
    expect(reason(byWhy(/superfluous witness/i).hex, 'tx')).toMatch(/superfluous witness record/);
    expect(reason(byWhy(/flag byte changed from 0x01 to 0x02/).hex, 'tx')).toMatch(/unknown transaction optional data/);
    expect(reason(byWhy(/fd0100/).hex, 'tx')).toMatch(/non-canonical CompactSize/);
    expect(reason(byWhy(/one trailing byte/).hex, 'tx')).toMatch(/trailing bytes/);
    expect(reason(byWhy(/0xffffffffffffffff/).hex, 'tx')).toMatch(/CompactSize too large|exceeds the remaining/);
    expect(reason(byWhy(/block with one trailing byte/).hex, 'block')).toMatch(/trailing bytes/);
    expect(reason(byWhy(/truncated to 79 bytes/).hex, 'block')).toMatch(/truncated/);
  });
});

describe('addresses', () => {
  it('match bitcoinjs-lib (an independent oracle) for every base58 and segwit v0 output of the vectors', () => {
    let compared = 0;
    for (const v of TXS) {
      const net = v.network === 'testnet' ? NETWORKS.testnet : NETWORKS.mainnet;
      const oracleNet = v.network === 'testnet' ? bitcoin.networks.testnet : bitcoin.networks.bitcoin;
      for (const o of txView(decodeTx(fromHex(v.hex)), net).vout) {
        // P2TR needs an ECC library in bitcoinjs; it is checked against a known answer below.
        if (!['p2pkh', 'p2sh', 'v0_p2wpkh', 'v0_p2wsh'].includes(o.scriptpubkey_type)) continue;
        expect(o.scriptpubkey_address).toBe(bitcoin.address.fromOutputScript(Buffer.from(o.scriptpubkey, 'hex'), oracleNet));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('gives the first taproot spend’s output its well-known address, and regtest prefixes', () => {
    const v = TXS.find((t) => t.txid === '33e794d097969002ee05d336686fc03c9e15a597c1b9827669460fac98799036')!;
    const tx = decodeTx(fromHex(v.hex));
    expect(txView(tx, NETWORKS.mainnet).vout[1].scriptpubkey_address).toBe('bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297');
    expect(txView(tx, NETWORKS.regtest).vout[1].scriptpubkey_address).toMatch(/^bcrt1p/);
  });
});
