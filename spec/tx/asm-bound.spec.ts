/** What one transaction's line may hold: its ASM fields share MAX_TX_ASM_CHARS; normal ones are whole. */
import { describe, expect, it } from 'vitest';
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import { txLine, txView, MAX_TX_ASM_CHARS } from '../../lib/tx/view.js';
import { ASM_TRUNCATED, scriptAsm } from '../../lib/tx/script.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { typicalTxs } from '../support/txs.js';

const net = NETWORKS.mainnet;
const base = typicalTxs()[0];

/** A transaction of `outputs` outputs, each script `bytes` bytes of `op`. */
function txOf(outputs: number, bytes: number, op: number) {
  const script = new Uint8Array(bytes).fill(op);
  return decodeTx(encodeTx({ ...base, outputs: Array.from({ length: outputs }, () => ({ value: 0n, script })) }));
}

describe('ASM of pathological scripts', () => {
  it('bounds a 4 MB transaction of OP_INVALIDOPCODE scripts (68 MB of ASM in full) to MAX_TX_ASM_CHARS', () => {
    // 400 outputs of 9,900 bytes: just under the 4,000,000-byte message limit.
    const tx = txOf(400, 9_900, 0xff);
    expect(tx.size).toBeLessThan(4_000_000);
    const view = txView(tx, net);
    const asm = view.vout.map((o) => o.scriptpubkey_asm);
    const asmChars = asm.reduce((n, s) => n + s.length, 0);
    expect(asmChars).toBeLessThanOrEqual(MAX_TX_ASM_CHARS + 400 * (ASM_TRUNCATED.length + 1));
    // The first fields whole, the one at the budget cut at a token and marked, the rest marked only.
    expect(asm[0]).toBe(scriptAsm(tx.outputs[0].script));
    expect(asm.find((s) => s.endsWith(` ${ASM_TRUNCATED}`))).toMatch(/^OP_INVALIDOPCODE( OP_INVALIDOPCODE)* <truncated>$/);
    expect(asm.at(-1)).toBe(ASM_TRUNCATED);
    // The hex is whole: the line is the hex (2 characters a byte), the bounded ASM and the keys.
    for (const o of view.vout) expect(o.scriptpubkey).toHaveLength(2 * 9_900);
    const line = txLine(tx, net);
    expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(view)));
    expect(line.length).toBeLessThan(2 * tx.size + MAX_TX_ASM_CHARS + 400 * 200);
  });

  it('leaves normal transactions whole: a 100 kB output script of OP_1s, the largest standard size of ASM, is printed in full', () => {
    const tx = txOf(1, 100_000, 0x51);
    const asm = txView(tx, net).vout[0].scriptpubkey_asm;
    expect(asm).toBe(scriptAsm(tx.outputs[0].script));
    expect(asm).not.toContain(ASM_TRUNCATED);
    for (const t of typicalTxs()) expect(JSON.stringify(txView(t, net))).not.toContain(ASM_TRUNCATED);
  });
});
