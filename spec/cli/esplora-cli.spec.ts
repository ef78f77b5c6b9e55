/**
 * Fields exactly as Esplora (mempool.space's electrs, src/rest.rs) prints them, decoded from raw
 * transactions by the built command: `scriptpubkey_type` `provably_unspendable`, `witness` absent
 * from an input without witness data, and `status` (a crawl's lines: unconfirmed; decode: none).
 */
import { describe, expect, it } from 'vitest';
import { toReversedHex } from '../../lib/wire/hex.js';
import { decodeTx } from '../../lib/wire/transaction.js';
import { fromHex } from '../../lib/wire/hex.js';
import { runCrawl } from '../support/crawl-process.js';
import { crawlFixtures } from '../support/fixtures.js';
import { servingPeer } from '../support/scripted-peer.js';

const u32 = (n: number): string => Buffer.from(Uint32Array.of(n).buffer).toString('hex');
const out = (script: string): string => `${'00'.repeat(8)}${(script.length / 2).toString(16).padStart(2, '0')}${script}`;
const input = (byte: string, scriptSig = ''): string => `${byte.repeat(32)}${u32(1)}${(scriptSig.length / 2).toString(16).padStart(2, '0')}${scriptSig}ffffffff`;
const K33 = `02${'11'.repeat(32)}`;

/** The output scripts and the type electrs gives each. */
const OUTPUTS: readonly (readonly [string, string])[] = [
  ['6a', 'op_return'],
  ['6a0401020304', 'op_return'],
  ['ff', 'provably_unspendable'], // OP_INVALIDOPCODE: IllegalOp
  ['50', 'provably_unspendable'], // OP_RESERVED: ReturnOp
  ['65', 'provably_unspendable'], // OP_VERIF: IllegalOp
  ['66', 'provably_unspendable'], // OP_VERNOTIF
  ['62', 'provably_unspendable'], // OP_VER
  ['7e4d01', 'provably_unspendable'], // OP_CAT, disabled
  ['ba', 'provably_unspendable'], // OP_CHECKSIGADD outside tapscript
  [`5021${K33}51ae`, 'provably_unspendable'], // a multisig shape after OP_RESERVED
  [`5121${K33}51ae`, 'multisig'],
  ['51024e73', 'anchor'],
  ['61', 'unknown'], // OP_NOP
];

/** A legacy transaction (no witness at all) paying to every script of OUTPUTS. */
const LEGACY = `${u32(2)}01${input('aa', '51')}${OUTPUTS.length.toString(16).padStart(2, '0')}${OUTPUTS.map(([s]) => out(s)).join('')}${u32(0)}`;
/** A segwit transaction: input 0 with a witness of two items, input 1 with none. */
const SEGWIT = `${u32(2)}000102${input('bb')}${input('cc')}01${out('51024e73')}02` + `02abcd00` + `00` + u32(0);

interface Line {
  vin: Record<string, unknown>[];
  vout: { scriptpubkey_type: string }[];
  status?: unknown;
}

describe('crawl decode, as Esplora prints a transaction', () => {
  it('names each output as electrs does: op_return only for OP_RETURN, provably_unspendable for other failing first opcodes', async () => {
    const r = await runCrawl(['decode', LEGACY]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout) as Line;
    expect(line.vout.map((o) => o.scriptpubkey_type)).toEqual(OUTPUTS.map(([, t]) => t));
  });

  it('leaves witness out of an input without witness data, and keeps Esplora’s key order otherwise', async () => {
    const r = await runCrawl(['decode', LEGACY, SEGWIT]);
    expect(r.code).toBe(0);
    const [legacy, segwit] = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
    expect(Object.keys(legacy.vin[0])).toEqual(['txid', 'vout', 'is_coinbase', 'scriptsig', 'scriptsig_asm', 'sequence']);
    expect(Object.keys(segwit.vin[0])).toEqual(['txid', 'vout', 'is_coinbase', 'scriptsig', 'scriptsig_asm', 'witness', 'sequence']);
    expect(segwit.vin[0].witness).toEqual(['abcd', '']);
    expect('witness' in segwit.vin[1]).toBe(false);
  });

  it('prints no status: a raw transaction alone does not say whether it is in a block', async () => {
    const r = await runCrawl(['decode', LEGACY]);
    expect('status' in (JSON.parse(r.stdout) as Line)).toBe(false);
  });
});

describe('crawl, as Esplora prints an unconfirmed transaction', () => {
  const { listen, crawl } = crawlFixtures();

  it('gives every transaction line status {"confirmed": false}, and no witness to inputs without one', async () => {
    const txs = [decodeTx(fromHex(LEGACY)), decodeTx(fromHex(SEGWIT))];
    const p = await listen(servingPeer(txs).script);
    const c = crawl('--peers', p.address);
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    const lines = c.txLines() as unknown as Line[];
    expect(lines.map((l) => l.status)).toEqual([{ confirmed: false }, { confirmed: false }]);
    const legacy = lines.find((l) => l.vin.length === 1) as Line;
    expect('witness' in legacy.vin[0]).toBe(false);
    expect(legacy.vout.map((o) => o.scriptpubkey_type)).toEqual(OUTPUTS.map(([, t]) => t));
    await c.stop();
  });
});
