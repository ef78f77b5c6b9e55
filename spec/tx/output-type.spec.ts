/**
 * scriptpubkey_type as mempool.space's electrs names it (src/rest.rs, TxOutValue::new): each
 * rule at and just past its boundaries, and the order in which the rules are tried.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyOutput, OUTPUT_TYPES } from '../../lib/tx/script.js';
import { fromHex } from '../../lib/wire/hex.js';

const type = (hex: string): string => classifyOutput(fromHex(hex));
const bytes = (n: number, b = 0xab): string => b.toString(16).padStart(2, '0').repeat(n);
const H20 = bytes(20);
const H32 = bytes(32);
const K33 = `02${bytes(32, 0x11)}`;
const K65 = `04${bytes(64, 0x22)}`;

describe('empty', () => {
  it('is a script of no bytes', () => {
    expect(type('')).toBe('empty');
    expect(type('00')).toBe('unknown');
  });
});

describe('op_return', () => {
  it('is a script whose first byte is OP_RETURN (rust-bitcoin is_op_return), whatever follows', () => {
    expect(type('6a')).toBe('op_return');
    expect(type('6a4c')).toBe('op_return');
    expect(type(`6a${bytes(34)}51ae`)).toBe('op_return');
  });
});

describe('provably_unspendable (rust-bitcoin 0.28 is_provably_unspendable)', () => {
  /** The first opcodes classed ReturnOp (besides OP_RETURN) or IllegalOp in the legacy context. */
  const FAILING = ['50', '62', '89', '8a', '65', '66', '7e', '7f', '80', '81', '83', '84', '85', '86', '8d', '8e', '95', '96', '97', '98', '99'];
  for (let op = 0xba; op <= 0xff; op++) FAILING.push(op.toString(16));

  it('is any other script whose first opcode fails it outright: OP_RESERVED, OP_VER(IF/NOTIF), OP_RESERVED1/2, the disabled ops, 0xba–0xff', () => {
    for (const first of FAILING) expect(type(first)).toBe('provably_unspendable');
    expect(FAILING).toHaveLength(21 + 70);
  });

  it('is not any other first byte: pushes, OP_NOPs, ordinary opcodes', () => {
    for (let op = 0; op < 0xba; op++) {
      const first = op.toString(16).padStart(2, '0');
      if (FAILING.includes(first) || first === '6a') continue;
      expect(['unknown', 'empty']).toContain(type(first));
    }
  });

  it('holds whatever follows the first byte, even a p2pk or multisig shape after it', () => {
    expect(type(`ff21${K33}ac`)).toBe('provably_unspendable');
    expect(type(`5021${K33}51ae`)).toBe('provably_unspendable');
    expect(type('7e4d01')).toBe('provably_unspendable');
  });
});

describe('p2pk', () => {
  it('is a 33- or 65-byte push and OP_CHECKSIG, whatever the key bytes', () => {
    expect(type(`21${K33}ac`)).toBe('p2pk');
    expect(type(`41${K65}ac`)).toBe('p2pk');
    // rust-bitcoin checks the shape only; Core's Solver would call these nonstandard.
    expect(type(`21${bytes(33, 0x05)}ac`)).toBe('p2pk');
    expect(type(`41${bytes(65, 0x00)}ac`)).toBe('p2pk');
    expect(type(`21${bytes(33, 0x04)}ac`)).toBe('p2pk');
  });

  it('is not other sizes, other push forms or another last opcode', () => {
    expect(type(`20${bytes(32)}ac`)).toBe('unknown');
    expect(type(`22${bytes(34)}ac`)).toBe('unknown');
    expect(type(`40${bytes(64)}ac`)).toBe('unknown');
    expect(type(`4c21${K33}ac`)).toBe('unknown');
    expect(type(`21${K33}ad`)).toBe('unknown');
    expect(type(`21${K33}acac`)).toBe('unknown');
  });
});

describe('p2pkh, p2sh', () => {
  it('are the exact templates', () => {
    expect(type(`76a914${H20}88ac`)).toBe('p2pkh');
    expect(type(`a914${H20}87`)).toBe('p2sh');
  });

  it('are not their near misses', () => {
    expect(type(`76a914${H20}88ad`)).toBe('unknown');
    expect(type(`76a915${bytes(21)}88ac`)).toBe('unknown');
    expect(type(`76a914${H20}88ac00`)).toBe('unknown');
    expect(type(`a914${H20}88`)).toBe('unknown');
    expect(type(`a913${bytes(19)}87`)).toBe('unknown');
  });
});

describe('witness programs', () => {
  it('name v0 of 20 and 32 bytes and v1 of 32 bytes', () => {
    expect(type(`0014${H20}`)).toBe('v0_p2wpkh');
    expect(type(`0020${H32}`)).toBe('v0_p2wsh');
    expect(type(`5120${H32}`)).toBe('v1_p2tr');
  });

  it('leave other lengths and versions unknown', () => {
    expect(type(`0015${bytes(21)}`)).toBe('unknown');
    expect(type(`0013${bytes(19)}`)).toBe('unknown');
    expect(type(`001f${bytes(31)}`)).toBe('unknown');
    expect(type(`5121${bytes(33)}`)).toBe('unknown');
    expect(type(`5220${H32}`)).toBe('unknown');
    expect(type(`6028${bytes(40)}`)).toBe('unknown');
  });
});

describe('anchor', () => {
  it('is OP_1 <4e73> exactly', () => {
    expect(type('51024e73')).toBe('anchor');
    expect(type('51024e74')).toBe('unknown');
    expect(type('52024e73')).toBe('unknown');
    expect(type('00024e73')).toBe('unknown');
    expect(type('51024e7300')).toBe('unknown');
  });
});

describe('multisig (electrs’ is_bare_multisig)', () => {
  it('is OP_m … OP_n OP_CHECKMULTISIG, 37 bytes or more, m ≤ n ≤ 15', () => {
    expect(type(`5121${K33}51ae`)).toBe('multisig'); // 1-of-1, 37 bytes
    expect(type(`5221${K33}21${K33}41${K65}53ae`)).toBe('multisig');
    expect(type(`5f21${K33}5fae`)).toBe('multisig'); // 15-of-"15"
  });

  it('does not look between the first byte and the last two', () => {
    expect(type(`51${bytes(34, 0x00)}51ae`)).toBe('multisig');
    expect(type(`5121${bytes(33, 0x1c)}52ae`)).toBe('multisig');
    expect(type(`5101002102${bytes(32)}52ae`)).toBe('multisig');
    // a 42-byte v1 witness program that happens to end OP_15 OP_CHECKMULTISIG
    expect(type(`5128${bytes(38)}5fae`)).toBe('multisig');
  });

  it('is not 36 bytes, OP_16, m > n, m = 0, or another last opcode', () => {
    expect(type(`51${bytes(33)}51ae`)).toBe('unknown'); // 36 bytes
    expect(type(`5121${K33}60ae`)).toBe('unknown');
    expect(type(`60${`21${K33}`.repeat(16)}60ae`)).toBe('unknown'); // 16-of-16: Core's limit, not electrs'
    expect(type(`5221${K33}51ae`)).toBe('unknown');
    expect(type(`0021${K33}51ae`)).toBe('unknown');
    expect(type(`4f21${K33}51ae`)).toBe('unknown');
    expect(type(`5121${K33}51af`)).toBe('unknown');
    expect(type(`5121${K33}00ae`)).toBe('unknown');
  });
});

describe('classifyOutput', () => {
  it('names every byte string with one of OUTPUT_TYPES, and never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (s) => {
        expect(OUTPUT_TYPES).toContain(classifyOutput(s));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('README', () => {
  it('names every output type in its "Output types" paragraph', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const para = readme.slice(readme.indexOf('**Output types**'), readme.indexOf('**Values**'));
    for (const t of OUTPUT_TYPES) expect(para).toContain(`\`${t}\``);
  });
});
